"""A bank result file is a long job (fundportal/jobs.py) that survives faults, with real threads
and a real worker:

- with the broker down the imported file waits, queued; the core's beat requeue sends it once the
  broker is back, and it is applied;
- a worker killed in the middle of a file (SIGKILL) leaves it running with a stale heartbeat; the
  requeue queues it again, a new worker applies the rest: every line applied exactly once, nobody
  paid twice;
- two runs claiming one file at the same moment: one applies it.
"""
import datetime as dt
import os
import signal

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from assistance.models import Application, BankResult, BankResultLine, Payout
from assistance.payouts import bank_results
from assistance.payouts.bank_results import bank_result_apply, bank_result_import
from assistance.payouts.services import batch_export, payout_batch_create
from fundportal.models import LedgerEntry
from fundportal.tasks import jobs_requeue_task
from tests.concurrency import run_concurrently
from tests.fixtures.processes import Broker, start_worker, wait_until

from .helpers import all_paid, result_csv

pytestmark = pytest.mark.django_db(transaction=True)
J = BankResult.JOB_STATES


@pytest.fixture
def exported(signed, finance_a):
    """A batch of two payouts (35,000 and 21,000) sent to the bank."""
    batch = payout_batch_create(resolution=signed[0], acting_user=finance_a)
    batch_export(batch=batch, acting_user=finance_a, file_format="csv")
    return batch


def _import(batch, content: bytes, user) -> BankResult:
    with transaction.atomic():  # committed, as the admin's upload is: then the task is sent
        result = bank_result_import(batch=batch, content=content, file_name="回单.csv", acting_user=user)
    return BankResult.objects.get(pk=result.pk)


def _age(result: BankResult, minutes: float) -> None:
    BankResult.objects.filter(pk=result.pk).update(touched_at=timezone.now() - dt.timedelta(minutes=minutes))


def _paid_once(batch) -> None:
    """Every line applied, each payout paid by exactly one ledger entry, the money out once."""
    payouts = list(batch.payouts.order_by("id"))
    assert not BankResultLine.objects.filter(result__batch=batch, outcome="").exists()
    assert [p.state for p in payouts] == [Payout.State.PAID] * len(payouts)
    entries = LedgerEntry.objects.filter(kind=LedgerEntry.Kind.PAYOUT)
    assert entries.count() == len(payouts)
    assert sorted(-e.amount for e in entries) == sorted(p.amount for p in payouts)
    assert set(Application.objects.filter(payouts__in=payouts).values_list("state", flat=True)) == {"paid"}


def test_with_the_broker_down_a_file_waits_queued_and_the_beat_requeue_applies_it_when_it_is_back(
        exported, finance_b, monkeypatch):
    broker = Broker(monkeypatch)
    result = _import(exported, all_paid(exported), finance_b)
    assert broker.refused == 1  # tried once the import committed
    assert (result.state, result.sent_at, result.attempts, result.steps_total) == (J.queued, None, 0, 2)

    assert jobs_requeue_task() == 0  # still down: still queued, nothing lost
    broker.up = True
    assert jobs_requeue_task() == 0 and broker.messages == []  # queued under a minute ago: not yet
    _age(result, 2)
    assert jobs_requeue_task() == 1
    assert broker.messages == [("assistance.tasks.bank_result_apply_task", (result.pk,))]
    broker.deliver()

    result.refresh_from_db()
    assert (result.state, result.attempts, result.steps_done, result.paid, result.error) == (J.done, 1, 2, 2, "")
    assert result.finished_at is not None
    _paid_once(exported)
    assert jobs_requeue_task() == 0  # an applied file is never sent again


@pytest.mark.slow  # starts a real Celery worker and kills it
def test_a_worker_killed_mid_file_is_requeued_and_every_line_is_applied_exactly_once(
        broker, exported, finance_b, tmp_path, monkeypatch):
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    monkeypatch.setenv("PYTHONPATH", str(root))  # the worker runs this checkout's code
    monkeypatch.setenv("BANK_RESULT_LINE_PAUSE", "4")  # time to kill it after its first line
    worker = start_worker(broker, tmp_path)
    result = _import(exported, all_paid(exported), finance_b)
    try:
        wait_until(lambda: BankResult.objects.filter(pk=result.pk, state=J.running, steps_done__gte=1).exists(),
                   what="the first line to be applied")
    finally:
        os.killpg(worker.pid, signal.SIGKILL)  # no acknowledgement, no cleanup, no last word
        worker.wait(timeout=30)
    killed = BankResult.objects.get(pk=result.pk)
    assert (killed.state, killed.attempts, killed.steps_done, killed.finished_at) == (J.running, 1, 1, None)
    assert LedgerEntry.objects.filter(kind=LedgerEntry.Kind.PAYOUT).count() == 1  # one paid, one waiting

    assert jobs_requeue_task() == 0  # its heartbeat is fresh: it may still be working
    _age(result, BankResult.STALE_AFTER.total_seconds() / 60 + 1)  # …until it has said nothing for too long
    monkeypatch.setenv("BANK_RESULT_LINE_PAUSE", "0")
    worker = start_worker(broker, tmp_path)
    try:
        assert jobs_requeue_task() == 1
        wait_until(lambda: BankResult.objects.get(pk=result.pk).state == J.done, what="the rest of the file")
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)
    done = BankResult.objects.get(pk=result.pk)
    assert (done.attempts, done.steps_done, done.paid, done.unchanged, done.mismatched) == (2, 2, 2, 0, 0)
    _paid_once(exported)


def test_two_runs_claiming_one_file_at_the_same_moment_apply_it_once(exported, finance_b, monkeypatch):
    Broker(monkeypatch)  # down: the file waits for the runs below
    first, second = exported.payouts.order_by("id")
    result = _import(exported, result_csv([(first.reference, f"{first.amount}", "成功", ""),
                                           (second.reference, f"{second.amount}", "失败", "账号不存在")]), finance_b)
    real, applied = bank_results._apply_line, []

    def counted(line):
        applied.append(line.pk)
        return real(line)

    monkeypatch.setattr(bank_results, "_apply_line", counted)
    runs = run_concurrently(lambda i: bank_result_apply(result_id=result.pk), 4)
    assert all(isinstance(run, BankResult) for run in runs), runs
    assert sorted(applied) == sorted(result.rows.values_list("pk", flat=True))  # each line once
    result.refresh_from_db()
    assert (result.state, result.attempts, result.paid, result.failed) == (J.done, 1, 1, 1)
    assert LedgerEntry.objects.filter(kind=LedgerEntry.Kind.PAYOUT).count() == 1
    assert bank_result_apply(result_id=result.pk).attempts == 1  # done: never run again


def test_the_files_are_requeued_by_the_core_beat_task_alone():
    from django_celery_beat.models import PeriodicTask

    from fundportal.jobs import job_models

    assert BankResult in job_models()
    assert not PeriodicTask.objects.filter(task="assistance.tasks.bank_results_requeue_task").exists()
    assert PeriodicTask.objects.filter(task="fundportal.tasks.jobs_requeue_task", enabled=True).count() == 1


def test_a_file_whose_run_failed_is_retried_by_the_beat_requeue_and_applied_and_the_batch_page_says_so(
        exported, finance_b, monkeypatch, client):
    """A run fails only when something unexpected happens (the database went away for longer than
    Celery's retries); the file resumes where it stopped, so the requeue tries it again."""
    broker = Broker(monkeypatch)
    broker.up = True
    result = _import(exported, all_paid(exported), finance_b)
    broker.messages.clear()
    BankResult.objects.filter(pk=result.pk).update(state=J.failed, attempts=1, error="数据库连接中断")
    client.force_login(finance_b)
    page = client.get(reverse("admin:assistance_payoutbatch_change", args=[exported.pk])).content.decode()
    assert "对账中断" in page and "数据库连接中断" in page and "正在对账" not in page

    assert jobs_requeue_task() == 0  # it failed under a minute ago: not yet
    _age(result, 2)
    assert jobs_requeue_task() == 1
    broker.deliver()
    result.refresh_from_db()
    assert (result.state, result.attempts, result.error) == (J.done, 2, "")
    _paid_once(exported)


def test_a_file_that_failed_ten_runs_waits_for_a_person(exported, finance_b, monkeypatch):
    broker = Broker(monkeypatch)
    broker.up = True
    result = _import(exported, all_paid(exported), finance_b)
    broker.messages.clear()
    BankResult.objects.filter(pk=result.pk).update(state=J.failed, attempts=BankResult.RETRY_FAILED_UP_TO,
                                                   error="数据库连接中断")
    _age(result, 30)
    assert jobs_requeue_task() == 0 and broker.messages == []
    assert BankResult.objects.get(pk=result.pk).state == J.failed
