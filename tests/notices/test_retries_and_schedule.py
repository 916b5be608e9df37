"""A notice the provider keeps refusing for now is tried again with growing pauses, by the minute
sweep on the beat, then failed with the reason; what no retry can mend fails at once."""
import datetime as dt

import pytest
from celery import current_app
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from fundportal.defaults import NOTICES_SWEEP_TASK
from fundportal.notices.backends import ConsoleBackend, notice_backend_check
from fundportal.notices.models import Notice
from fundportal.notices.sending import notice_send, notices_sweep
from fundportal.notices.services import SEND_TASK
from tests.fixtures.factories import NoticeFactory

pytestmark = pytest.mark.django_db
S = Notice.State


def _due_now(notice) -> dt.timedelta:
    """Move the clock to the notice's next attempt (its pause moved back); the pause it had."""
    notice.refresh_from_db()
    pause = notice.next_attempt_at - timezone.now()
    Notice.objects.filter(pk=notice.pk).update(next_attempt_at=timezone.now() - dt.timedelta(seconds=1))
    return pause


def test_a_throttled_notice_is_retried_by_the_sweep_with_growing_pauses_then_failed_with_the_reason(
        tencent, settings):
    settings.NOTICE_MAX_ATTEMPTS, settings.NOTICE_RETRY_BASE_SECONDS = 3, 60
    tencent.answers = ["throttled"] * 3
    notice = NoticeFactory()
    assert notice_send(notice.pk) == "retry"
    pauses = [_due_now(notice)]
    assert notices_sweep() == {"uncertain": 0, "queued": 1}  # the sweep sends the retry (in process here)
    pauses.append(_due_now(notice))
    assert notices_sweep() == {"uncertain": 0, "queued": 1}
    notice.refresh_from_db()
    assert (notice.state, notice.attempts, notice.sent_at) == (S.FAILED, 3, None)
    assert notice.provider_reply.startswith("已尝试3次仍未发出：服务商限流（发送过于频繁或超过当日上限）")
    assert "LimitExceeded.PhoneNumberThirtySecondLimit" in notice.provider_reply
    assert [round(p.total_seconds() / 60) for p in pauses] == [1, 2]  # 60 s, then doubled
    assert notices_sweep() == {"uncertain": 0, "queued": 0} and len(tencent.requests) == 3


def test_a_retry_that_then_succeeds_is_sent(tencent):
    tencent.answers = ["server_error"]
    notice = NoticeFactory()
    assert notice_send(notice.pk) == "retry"
    _due_now(notice)
    notices_sweep()
    notice.refresh_from_db()
    assert (notice.state, notice.attempts) == (S.SENT, 2) and notice.provider_reply == "Ok：send success"


def test_a_notice_whose_template_is_gone_fails_with_the_reason_without_calling_the_provider(tencent):
    notice = NoticeFactory(template="no_such_template")
    assert notice_send(notice.pk) == "failed"
    notice.refresh_from_db()
    assert notice.state == S.FAILED and notice.provider_reply.startswith("通知模板不存在或参数不符")
    assert tencent.requests == []


def test_a_backend_that_breaks_unexpectedly_leaves_the_notice_uncertain(monkeypatch):
    def broken(self, message):
        raise RuntimeError("boom")

    monkeypatch.setattr(ConsoleBackend, "send", broken)
    notice = NoticeFactory()
    assert notice_send(notice.pk) == "uncertain"
    notice.refresh_from_db()
    assert notice.state == S.UNCERTAIN and "意外错误" in notice.provider_reply


def test_an_unconfigured_provider_claims_nothing_and_the_notice_waits(settings):
    settings.NOTICE_BACKEND = "fundportal.notices.tencent.TencentSmsBackend"
    settings.NOTICE_SMS_SECRET_ID = ""
    notice = NoticeFactory(next_attempt_at=timezone.now() - dt.timedelta(minutes=5))
    with pytest.raises(ImproperlyConfigured, match="NOTICE_SMS_SECRET_ID"):
        notice_send(notice.pk)
    assert notices_sweep() == {"uncertain": 0, "queued": 0}
    notice.refresh_from_db()
    assert (notice.state, notice.attempts) == (S.PENDING, 0)
    assert "fundportal.E201" in {message.id for message in notice_backend_check()}  # said at start too


def test_the_tasks_are_registered_under_their_names_and_the_sweep_runs_every_minute():
    current_app.loader.import_default_modules()  # what a worker does at start
    assert {SEND_TASK, NOTICES_SWEEP_TASK} <= set(current_app.tasks)
    task = PeriodicTask.objects.get(task=NOTICES_SWEEP_TASK)
    assert (task.interval.every, task.interval.period, task.enabled) == (1, "minutes", True)
