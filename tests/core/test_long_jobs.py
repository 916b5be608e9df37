"""Long jobs (fundportal/jobs.py), on the statement build, with real threads and a real worker:

- with the broker down a requested job stays queued; the beat's one requeue sends it once the broker
  is back (not before it has waited a minute), and it completes;
- a worker killed in the middle of a job (SIGKILL, a real Celery worker) leaves it running with a
  stale heartbeat; the requeue queues it again and sends it, and it completes exactly once;
- two workers claiming one job at the same moment: exactly one runs it;
- a run declared dead writes nothing over the run that replaced it;
- progress written inside a long transaction is seen at once by everyone else;
- the progress endpoint answers only who may see the job, and is never cached;
- the requeue is on the beat schedule once, for every job model.
"""
import datetime as dt
import os
import signal
import threading

import pytest
from django.db import connections, transaction
from django.urls import reverse
from django.utils import timezone

from disclosure import services
from disclosure.content import statement_content
from disclosure.models import Statement
from disclosure.services import period_for, statement_build, statement_request
from fundportal.celery import app as celery_app
from fundportal.jobs import JobTakenOver, job_claim, job_finish, job_models, job_progress, jobs_requeue
from fundportal.tasks import jobs_requeue_task
from tests.concurrency import run_concurrently
from tests.fixtures.processes import Broker, start_worker, wait_until

S = Statement.State
JUNE = period_for("month", dt.date(2023, 6, 1))


def _june(**fields) -> Statement:
    """A statement of June 2023 put straight into the table (queued unless told)."""
    return Statement.objects.create(kind="month", period_start=JUNE[0], period_end=JUNE[1],
                                    title="2023年6月收支公示", **fields)


def _age(statement: Statement, minutes: float) -> None:
    """Time passes: the statement's last sign of life is `minutes` ago."""
    Statement.objects.filter(pk=statement.pk).update(touched_at=timezone.now() - dt.timedelta(minutes=minutes))


def _builds(statement: Statement) -> int:
    """How many runs completed the statement (each completion is one history row)."""
    return statement.history.filter(state=S.BUILT).count()


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_a_job_waits_queued_and_the_beat_requeue_sends_it_when_it_is_back(finance, monkeypatch):
    broker = Broker(monkeypatch)
    statement = statement_request(kind="month", period_start=JUNE[0], period_end=JUNE[1], acting_user=finance)
    assert broker.refused == 1  # it was tried, once the request committed
    statement.refresh_from_db()
    assert (statement.state, statement.sent_at, statement.attempts) == (S.QUEUED, None, 0)

    assert jobs_requeue_task() == 0  # still down: still queued, nothing lost
    broker.up = True
    assert jobs_requeue_task() == 0 and broker.messages == []  # queued under a minute ago: not yet
    _age(statement, 2)
    assert jobs_requeue_task() == 1
    assert broker.messages == [("disclosure.tasks.statement_build_task", (statement.pk,))]
    assert Statement.objects.get(pk=statement.pk).sent_at is not None
    broker.deliver()

    statement.refresh_from_db()
    assert (statement.state, statement.attempts, statement.error) == (S.BUILT, 1, "")
    assert statement.content == statement_content(*JUNE) and _builds(statement) == 1
    assert jobs_requeue_task() == 0  # a built statement is never sent again


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_build_is_sent_again_by_the_requeue_and_the_build_completes_once(
        broker, finance, tmp_path):
    worker = start_worker(broker, tmp_path, pause=3)
    statement = statement_request(kind="month", period_start=JUNE[0], period_end=JUNE[1], acting_user=finance)
    try:
        wait_until(lambda: Statement.objects.filter(pk=statement.pk, state=S.BUILDING, steps_done__gte=1).exists(),
                   what="the build to start")
    finally:
        os.killpg(worker.pid, signal.SIGKILL)  # no acknowledgement, no cleanup, no last word
        worker.wait(timeout=30)
    killed = Statement.objects.get(pk=statement.pk)
    assert (killed.state, killed.attempts, killed.content) == (S.BUILDING, 1, {})

    assert jobs_requeue_task() == 0  # its heartbeat is fresh: it may still be working
    _age(statement, Statement.STALE_AFTER.total_seconds() / 60 + 1)  # …until it has said nothing for too long
    worker = start_worker(broker, tmp_path)
    try:
        assert jobs_requeue_task() == 1
        wait_until(lambda: Statement.objects.get(pk=statement.pk).state == S.BUILT, what="the rebuild")
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)
    built = Statement.objects.get(pk=statement.pk)
    assert (built.attempts, built.content) == (2, statement_content(*JUNE))
    assert _builds(built) == 1
    assert built.history.filter(history_change_reason__contains="工作进程已中断，重新排队").count() == 1
    assert Statement.objects.filter(kind="month", period_start=JUNE[0]).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_claiming_one_job_at_the_same_moment_run_it_once(monkeypatch):
    statement = _june()
    runs = []

    def counted(*args, **kwargs):
        runs.append(threading.get_ident())
        return statement_content(*args, **kwargs)

    monkeypatch.setattr(services, "statement_content", counted)
    results = run_concurrently(lambda i: statement_build(statement_id=statement.pk), 4)
    assert all(isinstance(r, Statement) for r in results), results
    assert len(runs) == 1
    statement.refresh_from_db()
    assert (statement.state, statement.attempts, _builds(statement)) == (S.BUILT, 1, 1)


@pytest.mark.django_db(transaction=True)
def test_a_job_is_claimed_by_one_of_many_and_refused_to_the_rest():
    statement = _june()
    claims = run_concurrently(lambda i: job_claim(Statement, statement.pk), 6)
    assert [type(c).__name__ for c in claims].count("Statement") == 1 and claims.count(None) == 5, claims
    assert job_claim(Statement, statement.pk) is None  # running, heartbeat fresh


@pytest.mark.django_db
def test_a_run_declared_dead_writes_nothing_over_the_run_that_replaced_it(monkeypatch):
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
    monkeypatch.setattr(celery_app, "send_task", lambda *args, **kwargs: None)
    statement = _june()
    first = job_claim(Statement, statement.pk)
    _age(statement, Statement.STALE_AFTER.total_seconds() / 60 + 1)  # the first worker went silent
    assert jobs_requeue(Statement) == [statement.pk]
    second = job_claim(Statement, statement.pk)
    assert (first.attempts, second.attempts) == (1, 2)
    job_finish(second, content={"by": "second"}, built_at=timezone.now())

    with pytest.raises(JobTakenOver):
        job_progress(first, 3)  # the first worker wakes up: told to stop
    with pytest.raises(JobTakenOver):
        job_finish(first, content={"by": "first"})
    assert Statement.objects.get(pk=statement.pk).content == {"by": "second"}


@pytest.mark.django_db(transaction=True)
def test_progress_written_inside_a_long_transaction_is_seen_at_once(monkeypatch):
    monkeypatch.setattr(Statement, "PROGRESS_OUTSIDE_TRANSACTION", True)  # as a job of one transaction says
    job = job_claim(Statement, _june().pk)
    seen = []

    def look():
        seen.append(Statement.objects.values_list("steps_done", "phase").get(pk=job.pk))
        connections.close_all()

    with transaction.atomic():  # the job's work: all or nothing, for minutes
        job_progress(job, 2, "写入结算记录", total=4)
        reader = threading.Thread(target=look)
        reader.start()
        reader.join()
    assert seen == [(2, "写入结算记录")]


@pytest.mark.django_db
def test_the_progress_endpoint_answers_only_who_may_see_the_job_and_is_never_kept(client, finance, clerk):
    statement = _june(state=S.BUILDING, steps_done=2, steps_total=4, attempts=1)
    url = reverse("admin:disclosure_statement_progress", args=[statement.pk])
    client.force_login(finance)
    response = client.get(url)
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert {k: response.json()[k] for k in ("status", "state", "done", "processed", "total")} == {
        "status": "running", "state": "building", "done": False, "processed": 2, "total": 4}
    page = client.get(reverse("admin:disclosure_statement_change", args=[statement.pk])).content.decode()
    assert f'data-progress-url="{url}"' in page and 'data-status="running"' in page
    client.force_login(clerk)  # staff, but statements are not theirs to see: no answer about one
    assert client.get(url).status_code == 404
    client.force_login(finance)
    assert client.get(reverse("admin:disclosure_statement_progress", args=[999999])).status_code == 404


@pytest.mark.django_db
def test_one_requeue_on_the_beat_schedule_serves_every_job_model():
    from django_celery_beat.models import PeriodicTask

    assert Statement in job_models()
    assert not PeriodicTask.objects.filter(task="disclosure.tasks.statement_requeue_task").exists()  # now the core's
    task = PeriodicTask.objects.get(task="fundportal.tasks.jobs_requeue_task")
    assert task.enabled and task.interval.every == 5
