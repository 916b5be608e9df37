"""Each step of a family's case tells the family once, in the stage's own transaction, only with
its consent and until it opts out: the rows in the outbox (sending them is the sender's business)."""
import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from assistance.appeals.services import appeal_file, appeal_decide
from assistance.applications.services import application_notice_opt_out
from assistance.models import Application, Payout
from assistance.notify import family_notify, notify_received
from assistance.payouts.services import payout_confirm_paid, payout_mark_failed, payout_mark_returned
from fundportal.notices.models import Notice
from fundportal.notices.templates import TEMPLATES
from tests.fixtures.council import YEAR
from tests.progress.helpers import NAME, PHONE, RESIDENT_ID, determine, publicity_end, send, sign

from .helpers import consenting, events, rows

pytestmark = pytest.mark.django_db
PERSONAL = [NAME, RESIDENT_ID, PHONE, "6228480099887766554", "患肺癌", "商品房两套"]


def submitted(people, regions, **notices):
    """王小明's application at the window, with the family's SMS choice."""
    from assistance.applications.services import application_submit

    return application_submit(
        acting_user=people.clerk, resident_id=RESIDENT_ID, name=NAME, region=regions["hantian"], year=YEAR,
        phone=PHONE, account_holder=NAME, bank_name="瑞安农商银行", account_number="6228480099887766554",
        members=[{"name": NAME, "relation": "本人", "resident_id": RESIDENT_ID}], documents=[],
        extra_costs=[{"institution": "上海瑞金医院", "invoice_number": "31000099001", "paid_on": dt.date(YEAR, 5, 3),
                      "amount": Decimal("55000")}], **notices)


def texts(obj) -> list[str]:
    return [TEMPLATES[notice.template].render(notice.params) for notice in rows(obj)]


def assert_no_personal_data(obj) -> None:
    for text in texts(obj):
        assert not any(value in text for value in PERSONAL), text
        assert "王*明" in text and text.startswith("【瑞安慈善医疗救助】")


# ----------------------------------------------------------------------------------------- received

def test_a_consenting_family_is_told_its_application_was_received_once(people, regions, settings):
    settings.SITE_URL = "https://fund.example.cn"
    application = submitted(people, regions, notice_consent=True)
    [notice] = rows(application)
    assert (notice.event_key, notice.recipient_key, notice.audience, notice.phone, notice.state) == (
        f"application.received:{application.pk}", f"family:{application.pk}", Notice.Audience.FAMILY, PHONE,
        Notice.State.PENDING)
    text = texts(application)[0]
    assert application.number in text and "https://fund.example.cn/progress/" in text
    assert application.lookup_code not in text  # the code stays on the paper slip
    assert_no_personal_data(application)
    notify_received(application)  # told again (a retry, a re-run): still one row
    assert len(rows(application)) == 1


def test_no_consent_no_row(people, regions):
    application = submitted(people, regions)
    assert not application.notice_consent and rows(application) == []


def test_the_number_given_for_notices_is_used_and_stored_as_eleven_digits(people, regions):
    application = submitted(people, regions, notice_consent=True, notice_phone="１３９ ５７７０-０１６８")
    assert application.notice_phone == "13957700168"
    assert rows(application)[0].phone == "13957700168"


def test_consent_with_a_landline_and_no_mobile_is_refused_in_chinese(people, regions):
    with pytest.raises(ValidationError) as refused:
        _submit_with_landline(people, regions)
    assert "不是手机号码" in str(refused.value.message_dict["notice_phone"])
    assert not Application.objects.exists() and not Notice.objects.exists()


def _submit_with_landline(people, regions):
    from assistance.applications.services import application_submit

    return application_submit(
        acting_user=people.clerk, resident_id=RESIDENT_ID, name=NAME, region=regions["hantian"], year=YEAR,
        phone="0577-65812345", account_holder=NAME, bank_name="瑞安农商银行", account_number="6228480099887766554",
        members=[], documents=[], extra_costs=[], notice_consent=True)


def test_a_rolled_back_submission_leaves_no_notice_and_sends_nothing(people, regions, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            submitted(people, regions, notice_consent=True)
            assert Notice.objects.count() == 1  # written with the application…
            raise RuntimeError("the clerk's connection dropped")
    assert not Notice.objects.exists() and not Application.objects.exists()  # …and gone with it
    assert callbacks == []  # nothing queued to send


def test_a_committed_submission_queues_its_notice_to_send_after_commit(people, regions,
                                                                       django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        submitted(people, regions, notice_consent=True)
    assert len(callbacks) == 1


def test_an_opted_out_family_is_told_nothing_more(people, regions):
    application = submitted(people, regions, notice_consent=True)
    application_notice_opt_out(application=application, opt_out=True)
    application.refresh_from_db()
    determine(people, application)
    assert events(application) == ["received"]
    assert family_notify(application, event="x", template="family_eligible", params={}) is None


# ------------------------------------------------------------------------------------ the decisions

def test_eligibility_decided_tells_the_family_once(people, regions):
    application = determine(people, submitted(people, regions, notice_consent=True))
    assert events(application) == ["received", "eligible"]
    assert "认定符合救助条件" in texts(application)[1]
    assert_no_personal_data(application)


def test_not_eligible_tells_how_and_until_when_to_ask_for_review(people, regions, settings):
    settings.APPEAL_WINDOW_DAYS = 60
    application = determine(people, submitted(people, regions, notice_consent=True), eligible=False)
    assert events(application) == ["received", "not_eligible"]
    deadline = timezone.localdate() + dt.timedelta(days=60)
    text = texts(application)[1]
    assert f"{deadline.year}年{deadline.month}月{deadline.day}日前" in text and "申请复核" in text
    assert "十二万" not in text and "商品房" not in text  # the bureau's reasons stay off the phone
    assert_no_personal_data(application)


def test_an_eligibility_review_decided_and_a_second_determination_are_each_told(
        people, regions, cab_city_colleague):
    application = determine(people, submitted(people, regions, notice_consent=True), eligible=False)
    appeal = appeal_file(application=application, grounds="家里两人长期住院，请重新核查", acting_user=people.clerk)
    appeal_decide(appeal=appeal, acting_user=cab_city_colleague, reopen=True, reason="补充核查子女收入情况")
    assert events(application) == ["received", "not_eligible", "appeal_decided"]
    assert "撤销原决定，重新办理" in texts(application)[2] and "子女收入" not in texts(application)[2]


@pytest.fixture
def approved(people, regions, scheme):
    """王小明, consenting, found eligible and approved by the council (35,000): 公示 posted."""
    application = determine(people, submitted(people, regions, notice_consent=True))
    resolution = sign(people, scheme)
    application.refresh_from_db()
    return application, resolution


def test_the_councils_approval_and_the_publicity_are_each_told_once(approved):
    application, resolution = approved
    assert events(application) == ["received", "eligible", "approved", "publicity"]
    approval, publicity = texts(application)[2:]
    assert "35,000.00元" in approval
    starts = resolution.publicity.starts_on
    assert f"{starts.year}年{starts.month}月{starts.day}日至" in publicity
    assert_no_personal_data(application)


def test_a_signing_rolled_back_tells_nobody(people, regions, scheme):
    application = determine(people, submitted(people, regions, notice_consent=True))
    with pytest.raises(RuntimeError), transaction.atomic():
        sign(people, scheme)
        assert events(application)[-2:] == ["approved", "publicity"]
        raise RuntimeError("the database went away before the commit")
    assert events(application) == ["received", "eligible"]


@pytest.fixture
def sent(people, approved):
    application, resolution = approved
    publicity_end(resolution)
    send(people, resolution)
    return application, Payout.objects.get(application=application)


def test_paid_is_told_once_even_when_the_bank_confirms_twice(people, sent):
    application, payout = sent
    payout_confirm_paid(payout=payout, acting_user=people.finance_b)
    payout_confirm_paid(payout=payout, acting_user=people.finance_b)  # "unchanged"
    assert events(application)[-1] == "paid" and events(application).count("paid") == 1
    assert "35,000.00元已转入" in texts(application)[-1]
    assert_no_personal_data(application)


def test_a_failed_payment_tells_what_to_bring_and_where(people, sent):
    application, payout = sent
    payout_mark_failed(payout=payout, acting_user=people.finance_b, bank_message="户名与账号不符")
    payout_mark_failed(payout=payout, acting_user=people.finance_b, bank_message="户名与账号不符")
    assert events(application)[-1] == "payment_failed" and events(application).count("payment_failed") == 1
    text = texts(application)[-1]
    assert "身份证" in text and "银行卡" in text and "红十字会窗口" in text and "户名与账号不符" not in text
    assert_no_personal_data(application)


def test_money_returned_after_payment_is_told_as_a_failed_payment_of_that_payout(people, sent):
    application, payout = sent
    payout_confirm_paid(payout=payout, acting_user=people.finance_b)
    payout_mark_returned(payout=Payout.objects.get(pk=payout.pk), acting_user=people.finance_b, bank_message="账户已销户")
    assert events(application)[-2:] == ["paid", "payment_returned"]
    assert rows(application)[-1].template == "family_payment_failed"


def test_the_phone_changed_later_is_the_one_used(people, sent):
    application, payout = sent
    consenting(application, phone="13600001111")
    payout_confirm_paid(payout=payout, acting_user=people.finance_b)
    assert rows(application)[-1].phone == "13600001111"


def test_every_row_of_the_case_is_a_registered_template_with_its_parameters(people, sent):
    application, payout = sent
    payout_mark_failed(payout=payout, acting_user=people.finance_b)
    for notice in rows(application):
        template = TEMPLATES[notice.template]
        assert set(notice.params) == template.params and len(template.render(notice.params)) <= 140
