"""Exactly once per event and recipient, whatever the queue and the workers do: an event told
twice, a task sent twice, workers racing on one row, a worker killed before or after its claim,
a task lost with the broker. Real threads, a real killed process, the real SDK and a fake provider."""
import datetime as dt
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.utils import timezone

from fundportal.notices.models import Notice
from fundportal.notices.sending import notice_send, notices_sweep
from fundportal.notices.services import SEND_TASK, notice_enqueue, notice_resend
from fundportal.notices.tasks import notice_send_task
from tests.concurrency import run_concurrently
from tests.fixtures.factories import NoticeFactory
from tests.fixtures.processes import Broker, wait_until

from . import fake_provider
from .helpers import PHONE, PROVIDER_TEMPLATE, TEMPLATE

pytestmark = pytest.mark.django_db(transaction=True)
S = Notice.State
ROOT = Path(__file__).resolve().parents[2]
PARAMS = {"name": "李四", "number": "SQ2023-0042"}


def _enqueue(**fields) -> Notice:
    with transaction.atomic():  # committed, as a service's caller commits: then the task is sent
        return notice_enqueue(event_key="application:42:received", recipient_key="applicant:42", audience="family",
                              phone=PHONE, template=TEMPLATE, params=PARAMS, **fields)


def _state(notice) -> tuple:
    notice.refresh_from_db()
    return notice.state, notice.attempts


def test_an_event_told_twice_is_one_row_sent_once(tencent):
    first, second = _enqueue(), _enqueue()
    assert first.pk == second.pk and Notice.objects.count() == 1
    assert _state(first) == (S.SENT, 1)
    assert len(tencent.requests) == 1


def test_a_task_sent_twice_sends_once(tencent, monkeypatch):
    broker = Broker(monkeypatch)
    broker.up = True
    notice = _enqueue()
    assert broker.messages == [(SEND_TASK, (notice.pk,))]
    broker.messages.append(broker.messages[0])  # the broker delivers it twice (a redelivery, a duplicate)
    broker.deliver()
    assert _state(notice) == (S.SENT, 1) and len(tencent.requests) == 1
    assert notice_send_task(notice.pk) == "skipped"  # a retried task, a re-run
    assert len(tencent.requests) == 1


def test_workers_racing_on_one_row_send_it_once(tencent):
    notice = NoticeFactory(phone=PHONE, params=PARAMS)
    results = run_concurrently(lambda _: notice_send(notice.pk), 6)
    assert sorted(results) == ["sent"] + ["skipped"] * 5
    assert _state(notice) == (S.SENT, 1) and len(tencent.requests) == 1


def test_a_task_lost_with_the_broker_is_sent_by_the_sweep_once(tencent, monkeypatch):
    broker = Broker(monkeypatch)  # down
    notice = _enqueue()
    assert broker.refused == 1 and _state(notice) == (S.PENDING, 0)
    broker.up = True
    assert notices_sweep()["queued"] == 0  # its task may still be on its way: not yet
    Notice.objects.filter(pk=notice.pk).update(next_attempt_at=timezone.now() - dt.timedelta(minutes=2))
    assert notices_sweep()["queued"] == 1
    broker.messages.append(broker.messages[0])  # and the lost task turns up after all
    broker.deliver()
    assert _state(notice) == (S.SENT, 1) and len(tencent.requests) == 1
    assert notices_sweep()["queued"] == 0


def test_a_worker_killed_before_its_claim_leaves_the_notice_to_be_sent_once(tencent, monkeypatch):
    """The worker took the task and died before claiming the row: the task comes back (late
    acknowledgement) and the sweep queues it too; it is sent once."""
    broker = Broker(monkeypatch)
    broker.up = True
    notice = _enqueue()
    taken = broker.messages.pop(0)  # taken by the worker that dies
    Notice.objects.filter(pk=notice.pk).update(next_attempt_at=timezone.now() - dt.timedelta(minutes=2))
    notices_sweep()
    broker.messages.append(taken)  # redelivered after the worker's death
    assert len(broker.messages) == 2
    broker.deliver()
    assert _state(notice) == (S.SENT, 1) and len(tencent.requests) == 1


def _sender_process(notice_id: int, endpoint: str) -> subprocess.Popen:
    """Another process sending one notice through the real backend, as a worker does."""
    database = connection.settings_dict["NAME"]
    env = {**os.environ, "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{database}",
           "DJANGO_SETTINGS_MODULE": "fundportal.settings", "DEBUG": "True",
           "NOTICE_BACKEND": "fundportal.notices.tencent.TencentSmsBackend", "NOTICE_SMS_ENDPOINT": endpoint,
           "NOTICE_SMS_SECRET_ID": fake_provider.SECRET_ID, "NOTICE_SMS_SECRET_KEY": fake_provider.SECRET_KEY,
           "NOTICE_SMS_SDK_APP_ID": fake_provider.SDK_APP_ID, "NOTICE_SMS_SIGN_NAME": fake_provider.SIGN_NAME,
           "NOTICE_SMS_TIMEOUT": "60", "NOTICE_TEMPLATE_CODES": json.dumps({TEMPLATE: PROVIDER_TEMPLATE})}
    script = ("import sys, django; django.setup()\n"
              "import tests.notices.helpers  # the test template\n"
              "from fundportal.notices.sending import notice_send\n"
              "notice_send(int(sys.argv[1]))\n")
    return subprocess.Popen([sys.executable, "-c", script, str(notice_id)], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


@pytest.mark.slow
def test_a_worker_killed_after_its_claim_is_never_sent_again_by_itself(tencent, settings, finance):
    settings.NOTICE_SENDING_LEASE_SECONDS = 300
    tencent.answers = ["hang"]  # the provider has the request; the worker waits for its answer
    notice = NoticeFactory(phone=PHONE, params=PARAMS)
    process = _sender_process(notice.pk, tencent.endpoint)
    try:
        wait_until(lambda: tencent.requests, what="the provider to be asked")
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    assert _state(notice) == (S.SENDING, 1)

    assert notices_sweep() == {"uncertain": 0, "queued": 0}  # within the lease: it may still answer
    assert notice_send(notice.pk) == "skipped" and notice_send_task(notice.pk) == "skipped"
    Notice.objects.filter(pk=notice.pk).update(claimed_at=timezone.now() - dt.timedelta(seconds=301))
    assert notices_sweep() == {"uncertain": 1, "queued": 0}
    assert _state(notice) == (S.UNCERTAIN, 1)
    assert notice.provider_reply.startswith("发送过程中断")
    Notice.objects.filter(pk=notice.pk).update(next_attempt_at=timezone.now() - dt.timedelta(hours=1))
    assert notices_sweep() == {"uncertain": 0, "queued": 0}  # never sent again by itself
    assert notice_send(notice.pk) == "skipped"
    assert len(tencent.requests) == 1

    notice_resend(notice=notice, acting_user=finance)  # staff checked: it did not arrive
    assert _state(notice) == (S.SENT, 1)
    assert len(tencent.requests) == 2
