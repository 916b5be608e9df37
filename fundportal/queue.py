"""Queueing Celery tasks so that a broker outage loses nothing and breaks no page.

The row that a task will work on (a statement, a bank result file) is committed first and stays
in its waiting state; the task is sent once the transaction commits. If the broker cannot be
reached, the failure is logged and the row simply waits: the requeue job on the beat schedule
(fundportal.jobs.jobs_requeue for the long jobs) sends the task again once the broker is back.
Tasks are idempotent, so a task sent twice does its work once.
"""
import logging

from celery import current_app
from django.db import transaction
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)
BROKER_DOWN = (OperationalError, ConnectionError, OSError)


def send(task, *args) -> bool:
    """Send now; False (and a log line) if the broker is unreachable."""
    try:
        task.delay(*args)
        return True
    except BROKER_DOWN as exc:
        logger.warning("broker unavailable, %s%s waits for the requeue job: %s", task.name, args, exc)
        return False


def send_named(name: str, *args) -> bool:
    """Send the task called `name` now, without importing its module (no import cycle between a
    service and its tasks); False (and a log line) if the broker is unreachable. With no broker
    configured (the embedded default, tests) it runs in process, as `delay` would."""
    app = current_app
    if app.conf.task_always_eager:
        if name not in app.tasks:
            app.loader.import_default_modules()  # the apps' tasks modules, as a worker loads them
        app.tasks[name].apply_async(args)  # its own errors are its own, not the broker's
        return True
    try:
        app.send_task(name, args=args)
        return True
    except BROKER_DOWN as exc:
        logger.warning("broker unavailable, %s%s waits for the requeue job: %s", name, args, exc)
        return False


def send_on_commit(task, *args) -> None:
    transaction.on_commit(lambda: send(task, *args))
