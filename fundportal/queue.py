"""Queueing Celery tasks so that a broker outage loses nothing and breaks no page.

The row that a task will work on (a statement, a bank result file) is committed first and stays
in its waiting state; the task is sent once the transaction commits. If the broker cannot be
reached, the failure is logged and the row simply waits: each app's requeue job (on the beat
schedule) sends the task again once the broker is back. Tasks are idempotent, so a task sent
twice does its work once.
"""
import logging

from django.db import transaction
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)


def send(task, *args) -> bool:
    """Send now; False (and a log line) if the broker is unreachable."""
    try:
        task.delay(*args)
        return True
    except (OperationalError, ConnectionError, OSError) as exc:
        logger.warning("broker unavailable, %s%s waits for the requeue job: %s", task.name, args, exc)
        return False


def send_on_commit(task, *args) -> None:
    transaction.on_commit(lambda: send(task, *args))
