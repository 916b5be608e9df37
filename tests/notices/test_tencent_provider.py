"""Every answer of Tencent Cloud SMS, through its official SDK, against the fake provider on
127.0.0.1: what the outbox row says afterwards, and how often the provider was asked."""
import datetime as dt

import pytest
from django.utils import timezone

from fundportal.notices.models import Notice
from fundportal.notices.sending import notice_send, notices_sweep
from fundportal.notices.tencent import classify, e164
from tests.fixtures.factories import NoticeFactory
from tests.fixtures.processes import free_port

from .helpers import PHONE, PROVIDER_TEMPLATE

pytestmark = pytest.mark.django_db
S = Notice.State


def _send(notice) -> Notice:
    notice_send(notice.pk)
    notice.refresh_from_db()
    return notice


def test_a_notice_the_provider_takes_is_sent_with_its_serial_number(tencent):
    notice = _send(NoticeFactory(phone=PHONE, params={"name": "张三", "number": "SQ2023-0007"}))
    assert (notice.state, notice.attempts, notice.backend) == (S.SENT, 1, "tencent")
    assert notice.sent_at is not None and notice.provider_message_id.startswith("2645:")
    assert notice.provider_reply == "Ok：send success"
    [request] = tencent.requests  # signed correctly, or the fake would have refused it
    assert request["PhoneNumberSet"] == ["+8613812345678"]
    assert request["TemplateId"] == PROVIDER_TEMPLATE  # the code from NOTICE_TEMPLATE_CODES
    assert request["TemplateParamSet"] == ["张三", "SQ2023-0007"]  # in the order the text names them
    assert (request["SmsSdkAppId"], request["SignName"]) == ("1400000000", "共富基金")
    assert request["SessionContext"] == f"notice-{notice.pk}"


def test_a_throttled_number_is_tried_again_later_with_the_reason(tencent, settings):
    settings.NOTICE_RETRY_BASE_SECONDS = 60
    tencent.answers = ["throttled"]
    before = timezone.now()
    notice = _send(NoticeFactory(phone=PHONE))
    assert (notice.state, notice.attempts, notice.sent_at) == (S.PENDING, 1, None)
    assert dt.timedelta(seconds=59) < notice.next_attempt_at - before < dt.timedelta(seconds=62)
    assert "服务商限流" in notice.provider_reply and "LimitExceeded.PhoneNumberThirtySecondLimit" in notice.provider_reply
    assert notice.provider_reply.startswith("第1次未发出")
    assert notices_sweep()["queued"] == 0  # not due yet: nobody sends it before its time


def test_a_call_rate_limit_is_tried_again_too(tencent):
    tencent.answers = ["rate_limited"]
    notice = _send(NoticeFactory())
    assert notice.state == S.PENDING and "RequestLimitExceeded" in notice.provider_reply


def test_a_rejected_template_fails_at_once_with_the_reason_and_is_never_tried_again(tencent):
    tencent.answers = ["template_rejected"]
    notice = _send(NoticeFactory())
    assert (notice.state, notice.attempts, notice.sent_at) == (S.FAILED, 1, None)
    assert notice.provider_reply.startswith("短信模板未审核通过或与服务商登记的模板不符")
    assert "FailedOperation.TemplateIncorrectOrUnapproved" in notice.provider_reply
    Notice.objects.filter(pk=notice.pk).update(next_attempt_at=timezone.now() - dt.timedelta(hours=1))
    assert notices_sweep() == {"uncertain": 0, "queued": 0}
    assert notice_send(notice.pk) == "skipped"
    assert len(tencent.requests) == 1


def test_an_invalid_number_fails_at_once(tencent):
    tencent.answers = ["invalid_number"]
    notice = _send(NoticeFactory())
    assert notice.state == S.FAILED and notice.provider_reply.startswith("手机号码格式错误")


def test_a_provider_that_does_not_answer_in_time_leaves_the_notice_uncertain_never_sent_again(tencent):
    """The provider had the request and may have delivered it (the fake did): sending it again by
    itself could send it twice, so the row waits for staff."""
    tencent.answers = ["timeout"]
    notice = _send(NoticeFactory(phone=PHONE))
    assert (notice.state, notice.attempts, notice.sent_at) == (S.UNCERTAIN, 1, None)
    assert "未给出答复" in notice.provider_reply and "2 秒超时" in notice.provider_reply
    assert "ClientNetworkError" in notice.provider_reply
    Notice.objects.filter(pk=notice.pk).update(next_attempt_at=timezone.now() - dt.timedelta(hours=1),
                                               claimed_at=timezone.now() - dt.timedelta(hours=1))
    assert notices_sweep() == {"uncertain": 0, "queued": 0}
    assert notice_send(notice.pk) == "skipped"
    assert len(tencent.requests) == 1


def test_a_gateway_error_is_tried_again(tencent):
    tencent.answers = ["server_error"]
    notice = _send(NoticeFactory())
    assert notice.state == S.PENDING and "ServerNetworkError" in notice.provider_reply


def test_a_provider_that_cannot_be_reached_is_tried_again(tencent, settings):
    settings.NOTICE_SMS_ENDPOINT = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    notice = _send(NoticeFactory())
    assert notice.state == S.PENDING and notice.provider_reply.startswith("第1次未发出，")
    assert "无法连接短信服务" in notice.provider_reply and tencent.requests == []


def test_wrong_credentials_fail_at_once_and_the_key_is_never_written_down(tencent, settings):
    settings.NOTICE_SMS_SECRET_KEY = "not-the-key"
    notice = _send(NoticeFactory())
    assert notice.state == S.FAILED and "AuthFailure.SignatureFailure" in notice.provider_reply
    assert "not-the-key" not in notice.provider_reply and tencent.requests == []


def test_the_phone_is_written_as_tencent_expects():
    assert e164("138 1234 5678") == "+8613812345678"
    assert e164("+85291234567") == "+85291234567"


@pytest.mark.parametrize("code, kind", [
    ("Ok", "sent"),
    ("LimitExceeded.PhoneNumberDailyLimit", "retry"), ("LimitExceeded.DeliveryFrequencyLimit", "retry"),
    ("RequestLimitExceeded.UinLimitExceeded", "retry"), ("InternalError.Timeout", "retry"),
    ("LimitExceeded.AppCountryOrRegionInBlacklist", "rejected"),
    ("FailedOperation.SignatureIncorrectOrUnapproved", "rejected"), ("FailedOperation.PhoneNumberInBlacklist", "rejected"),
    ("InvalidParameterValue.ProhibitedUseUrlInTemplateParameter", "rejected"), ("UnauthorizedOperation.SdkAppIdIsDisabled", "rejected"),
    ("SomethingNew.NeverSeen", "rejected"),
])
def test_each_answer_code_is_sent_retried_or_rejected(code, kind):
    outcome = classify(code, "")
    assert outcome.kind == kind
    assert outcome.reason or kind == "sent"  # every refusal says why, in Chinese
