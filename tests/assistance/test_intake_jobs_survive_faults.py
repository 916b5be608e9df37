"""Settlement imports and screening runs are long jobs (fundportal/jobs.py), and survive what the
statement build survives (tests/core/test_long_jobs.py), each of them:

- with the broker down, a job is accepted and waits queued ("排队中"); the core's one beat requeue
  sends it once the broker is back, and it completes;
- a worker that died mid-run (its heartbeat stale) leaves the job running; the requeue queues it
  again and sends it, and it completes exactly once;
- two workers claiming one job at the same moment: exactly one runs it;
- the import's progress is in its row, and its page shows the shared progress bar.
"""
import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from assistance.intake import services
from assistance.models import ScreeningRun, SettlementImport, SettlementRecord
from fundportal.jobs import job_claim
from fundportal.tasks import jobs_requeue_task
from tests.assistance.helpers import YEAR, rid, settlement_row, write_csv
from tests.concurrency import run_concurrently
from tests.fixtures.processes import Broker

JOBS = {
    "settlement import": SettlementImport,
    "screening run": ScreeningRun,
}


def _request(kind: str, user, tmp_path):
    """A job as its desk requests it: an uploaded file, or a screening's parameters."""
    if kind == "settlement import":
        path = write_csv(tmp_path / "year.csv", [settlement_row("JS1", rid(1)), settlement_row("JS2", rid(2))])
        upload = SimpleUploadedFile("year.csv", path.read_bytes(), content_type="text/csv")
        return services.settlement_import_create(year=YEAR, upload=upload, acting_user=user)
    return services.screening_run_create(year=YEAR, threshold=Decimal("1000"), acting_user=user)


def _completed(model, job) -> None:
    """Done, once: one history row says so, and what it did is there once."""
    job = model.objects.get(pk=job.pk)
    assert (job.state, job.error) == (model.State.DONE, ""), job.message
    assert job.history.filter(state=model.State.DONE).count() == 1
    if model is SettlementImport:
        assert (job.rows_imported, job.steps_done, job.steps_total) == (2, 2, 2)
        assert SettlementRecord.objects.filter(year=YEAR).count() == 2
    else:
        assert job.target_count == job.targets.count() == 0


def _age(model, job, minutes: float) -> None:
    model.objects.filter(pk=job.pk).update(touched_at=timezone.now() - dt.timedelta(minutes=minutes))


@pytest.mark.parametrize("kind", list(JOBS))
@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_a_job_waits_queued_and_the_beat_requeue_sends_it_when_it_is_back(
        kind, regions, importer, monkeypatch, tmp_path):
    model, broker = JOBS[kind], Broker(monkeypatch)
    job = _request(kind, importer, tmp_path)
    assert broker.refused == 1  # tried once the request committed; no error for the officer
    job = model.objects.get(pk=job.pk)
    assert (job.state, job.get_state_display(), job.sent_at, job.attempts) == (model.State.PENDING, "排队中", None, 0)

    assert jobs_requeue_task() == 0  # still down: still queued, nothing lost
    broker.up = True
    _age(model, job, 2)
    assert jobs_requeue_task() == 1
    assert broker.messages == [(model.TASK_NAME, (job.pk,))]
    broker.deliver()
    _completed(model, job)
    assert model.objects.get(pk=job.pk).attempts == 1
    assert jobs_requeue_task() == 0  # a finished job is never sent again


@pytest.mark.parametrize("kind", list(JOBS))
@pytest.mark.django_db(transaction=True)
def test_a_job_whose_worker_died_is_queued_again_by_the_requeue_and_completes_once(
        kind, regions, importer, monkeypatch, tmp_path):
    model, broker = JOBS[kind], Broker(monkeypatch)
    broker.up = True
    job = _request(kind, importer, tmp_path)
    assert broker.messages == [(model.TASK_NAME, (job.pk,))]
    broker.messages.clear()  # the worker took the message…
    assert job_claim(model, job.pk).attempts == 1  # …started the job, and died (no finish, no word)

    assert jobs_requeue_task() == 0  # its heartbeat is fresh: it may still be working
    broker.deliver()
    _age(model, job, model.STALE_AFTER.total_seconds() / 60 + 1)  # …until it has said nothing for too long
    assert jobs_requeue_task() == 1
    requeued = model.objects.get(pk=job.pk)
    assert requeued.state == model.State.PENDING
    assert requeued.history.filter(history_change_reason__contains="工作进程已中断，重新排队").count() == 1
    broker.deliver()
    broker.messages.append((model.TASK_NAME, (job.pk,)))  # the dead worker's message, redelivered late
    broker.deliver()
    _completed(model, job)
    assert model.objects.get(pk=job.pk).attempts == 2


@pytest.mark.parametrize("kind", list(JOBS))
@pytest.mark.django_db(transaction=True)
def test_two_workers_running_one_job_at_the_same_moment_run_it_once(kind, regions, importer, monkeypatch, tmp_path):
    model, broker = JOBS[kind], Broker(monkeypatch)
    job = _request(kind, importer, tmp_path)
    assert broker.refused == 1
    from assistance.intake import tasks

    task = tasks.settlement_import_task if model is SettlementImport else tasks.screening_run_task
    results = run_concurrently(lambda i: task(job.pk), 4)
    assert all(r is None for r in results), results
    _completed(model, job)
    assert model.objects.get(pk=job.pk).attempts == 1
    assert model.objects.get(pk=job.pk).history.filter(state=model.State.RUNNING).count() == 1


@pytest.mark.django_db
def test_an_imports_page_shows_its_progress_from_its_row(client, msb):
    job = SettlementImport.objects.create(year=YEAR, file_name="a.csv", created_by=msb, state="running",
                                          phase="写入结算记录", steps_done=1200, steps_total=3000, attempts=1)
    url = reverse("admin:assistance_settlementimport_progress", args=[job.pk])
    client.force_login(msb)
    progress = client.get(url).json()
    assert {k: progress[k] for k in ("status", "done", "phase", "processed", "total")} == {
        "status": "running", "done": False, "phase": "写入结算记录", "processed": 1200, "total": 3000}
    page = client.get(reverse("admin:assistance_settlementimport_change", args=[job.pk])).content.decode()
    assert f'data-progress-url="{url}"' in page and "写入结算记录：1,200 / 3,000" in page
    assert '<progress max="3000" value="1200">' in page  # numbers, not "3,000": the bar must read them
