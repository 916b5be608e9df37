"""Faults, with real processes: a Redis of our own that we stop and start again, and a real Celery
worker that we kill in the middle of a build.

- With Redis down, the public pages, the receipt check and the admin keep working, and a build
  requested meanwhile waits (queued) and runs once Redis is back.
- A worker killed mid-build leaves no partial or duplicate statement; the build runs again.
"""
import datetime as dt
import os
import signal
import time

import pytest
from django.test import Client

from disclosure.content import statement_content
from disclosure.models import Statement
from disclosure.services import period_for, statement_request, statements_requeue
from tests.fixtures.personas import PASSWORD
from tests.fixtures.processes import start_worker, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def june() -> tuple[dt.date, dt.date]:
    return period_for("month", dt.date(2023, 6, 1))


@pytest.mark.slow
def test_with_redis_down_the_site_keeps_working_and_a_requested_build_runs_once_it_is_back(
        broker, history, finance_a, public_root):
    from tests.disclosure.helpers import publish

    publish("month", dt.date(2023, 5, 1), finance_a)  # something to read while Redis is down
    broker.stop()
    public = Client()
    for url in ("/disclosure/", "/disclosure/statements/", "/disclosure/statements/1/", "/disclosure/verify/",
                "/disclosure/statements/1/income.csv", "/api/public/statements/", "/receipts/verify/"):
        assert public.get(url).status_code == 200, url
    staff = Client()
    staff.post("/admin/login/", {"username": finance_a.username, "password": PASSWORD, "next": "/admin/"})
    assert staff.get("/admin/").status_code == 200
    assert staff.get("/admin/disclosure/statement/").status_code == 200
    started = time.monotonic()
    response = staff.post("/admin/disclosure/statement/add/", {"kind": "month", "day": "2023-06-15"})
    assert response.status_code == 302 and time.monotonic() - started < 10  # no long wait for the broker
    statement = Statement.objects.get(period_start=june()[0], kind="month")
    assert statement.state == Statement.State.QUEUED  # waiting, not lost

    broker.start()
    worker = start_worker(broker, public_root)
    try:
        assert statements_requeue(stale_after=dt.timedelta(0)) == [statement.pk]
        wait_until(lambda: Statement.objects.get(pk=statement.pk).state == Statement.State.BUILT, what="the build")
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)
    assert Statement.objects.get(pk=statement.pk).content == statement_content(*june())


@pytest.mark.slow
def test_a_worker_killed_in_the_middle_of_a_build_leaves_no_partial_or_duplicate_statement(
        broker, history, finance_a, public_root):
    worker = start_worker(broker, public_root, pause=3)
    statement = statement_request(kind="month", period_start=june()[0], period_end=june()[1], acting_user=finance_a)
    try:
        wait_until(lambda: Statement.objects.filter(pk=statement.pk, state=Statement.State.BUILDING,
                                                    steps_done__gte=1).exists(), what="the build to start")
    finally:
        os.killpg(worker.pid, signal.SIGKILL)  # the worker dies mid-build: no acknowledgement, no cleanup
        worker.wait(timeout=30)
    killed = Statement.objects.get(pk=statement.pk)
    assert (killed.state, killed.content, killed.built_at) == (Statement.State.BUILDING, {}, None)

    worker = start_worker(broker, public_root)
    try:
        assert statements_requeue(stale_after=dt.timedelta(0)) == [statement.pk]
        wait_until(lambda: Statement.objects.get(pk=statement.pk).state == Statement.State.BUILT, what="the rebuild")
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)
    assert Statement.objects.filter(kind="month", period_start=june()[0]).count() == 1
    assert Statement.objects.get(pk=statement.pk).content == statement_content(*june())


@pytest.mark.slow
def test_with_the_broker_down_a_screening_run_is_accepted_and_waits(broker, msb):
    from assistance.models import ScreeningRun
    from assistance.intake.services import screening_run_create

    broker.stop()
    run = screening_run_create(year=2022, threshold=50000, acting_user=msb)  # no error for the MSB's officer
    assert ScreeningRun.objects.get(pk=run.pk).state == ScreeningRun.State.PENDING
