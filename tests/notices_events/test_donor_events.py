"""Donors are told when their receipt is issued (with its verification link) and when a pledge
instalment is due soon or overdue — each once, only with their consent, on the right days."""
import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from donations.defaults import PLEDGE_REMINDERS_TASK
from donations.models import Donor
from donations.notices import pledge_reminders_send
from donations.services import donor_create, donor_update, pledge_create, receipt_void_and_reissue
from donations.tasks import pledge_reminders_task
from fundportal.notices.models import Notice
from fundportal.notices.templates import TEMPLATES
from tests.donations.helpers import record
from tests.fixtures.factories import make_uscc

from .helpers import events, rows

pytestmark = pytest.mark.django_db
MOBILE = "13957700168"
D = Decimal


@pytest.fixture
def bank(finance):
    return donor_create(kind=Donor.Kind.ORGANISATION, name="浙江瑞安农村商业银行", org_kind=Donor.OrgKind.BANK,
                        uscc=make_uscc(7), phone=MOBILE, notice_consent=True, acting_user=finance)


def text(notice: Notice) -> str:
    return TEMPLATES[notice.template].render(notice.params)


# -------------------------------------------------------------------------------------- receipts

def test_a_consenting_donor_is_told_the_receipt_with_its_verification_page_number_and_code(finance, bank, settings):
    settings.SITE_URL = "https://fund.example.cn"
    donation = record(finance, amount="600000.00", donor=bank)
    receipt = donation.receipts.get()
    [notice] = rows(receipt)
    assert (notice.event_key, notice.recipient_key, notice.audience, notice.phone) == (
        f"donor.receipt:{receipt.pk}", f"donor:{bank.pk}", Notice.Audience.DONOR, MOBILE)
    message = text(notice)
    assert message.startswith("【瑞安市慈善总会】浙江瑞安农村商业银行") and "600,000.00元" in message
    page = f"https://fund.example.cn{reverse('donations:receipt_verify')}"
    assert page in message and receipt.number in message and receipt.verification_code in message
    # The provider refuses a web address in a parameter: the page is in the template's own text.
    assert not any("://" in str(value) for value in notice.params.values())


def test_an_individual_donor_reads_a_masked_name(finance):
    donor = donor_create(kind=Donor.Kind.INDIVIDUAL, name="潘晓丽", phone=MOBILE, notice_consent=True,
                         acting_user=finance)
    receipt = record(finance, donor=donor).receipts.get()
    assert text(rows(receipt)[0]).startswith("【瑞安市慈善总会】潘*丽")


def test_no_consent_or_no_donor_no_row(finance):
    donor = donor_create(kind=Donor.Kind.INDIVIDUAL, name="林志远", phone=MOBILE, acting_user=finance)
    record(finance, donor=donor)
    record(finance)  # anonymous
    assert not Notice.objects.exists()


def test_clearing_consent_is_how_a_donor_opts_out(finance, bank):
    donor_update(donor=bank, acting_user=finance, notice_consent=False)
    record(finance, donor=bank)
    assert not Notice.objects.exists()


def test_a_reissued_receipt_is_told_once_more_and_the_void_one_not_again(finance, bank):
    receipt = record(finance, donor=bank).receipts.get()
    replacement = receipt_void_and_reissue(receipt=receipt, reason="名称有误", acting_user=finance)
    assert len(rows(receipt)) == len(rows(replacement)) == 1


def test_a_donation_rolled_back_tells_nobody(finance, bank, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(RuntimeError), transaction.atomic():
        record(finance, donor=bank)
        raise RuntimeError("power cut")
    assert not Notice.objects.exists() and callbacks == []


def test_consent_needs_a_mobile_with_a_chinese_error(finance):
    with pytest.raises(ValidationError) as refused:
        donor_create(kind=Donor.Kind.INDIVIDUAL, name="董海燕", phone="0577-65812345", notice_consent=True,
                     acting_user=finance)
    assert "联系电话须为手机号码" in str(refused.value.message_dict["phone"])
    donor = donor_create(kind=Donor.Kind.INDIVIDUAL, name="董海燕", phone="0577-65812345", acting_user=finance)
    with pytest.raises(ValidationError):
        donor_update(donor=donor, acting_user=finance, notice_consent=True)
    assert donor_update(donor=donor, acting_user=finance, notice_consent=True, phone="１３９５７７００１６８").phone == MOBILE


def test_the_donor_admin_form_records_consent_and_keeps_a_bad_phone(client, finance, bank):
    client.force_login(finance)
    url = reverse("admin:donations_donor_change", args=[bank.pk])
    page = client.get(url).content.decode()
    assert 'name="notice_consent"' in page
    response = client.post(url, {"name": bank.name, "org_kind": bank.org_kind, "contact_person": "王晓明",
                                 "phone": "0577-123", "notice_consent": "on", "address": "", "note": ""})
    assert response.status_code == 200 and "联系电话须为手机号码" in response.content.decode()
    assert 'value="0577-123"' in response.content.decode()
    client.post(url, {"name": bank.name, "org_kind": bank.org_kind, "contact_person": "王晓明", "phone": MOBILE,
                      "address": "", "note": ""})  # the box cleared: no more notices
    bank.refresh_from_db()
    assert not bank.notice_consent


def test_the_receipt_and_donation_pages_show_the_notice_with_the_phone_masked(client, finance, bank):
    donation = record(finance, donor=bank)
    receipt = donation.receipts.get()
    client.force_login(finance)
    for url in (reverse("admin:donations_receipt_change", args=[receipt.pk]),
                reverse("admin:donations_donation_change", args=[donation.pk]),
                reverse("admin:donations_donor_changelist")):
        html = client.get(url).content.decode()
        assert MOBILE not in html, url
    html = client.get(reverse("admin:donations_receipt_change", args=[receipt.pk])).content.decode()
    assert "donor_receipt" in html and "139****0168" in html


# ---------------------------------------------------------------------------------- pledge reminders

@pytest.fixture
def pledge(finance, bank):
    """Two instalments: 600,000 due 2024-07-03, 600,000 due 2025-07-03."""
    return pledge_create(donor=bank, total=D("1200000"), signed_on=dt.date(2023, 6, 15), acting_user=finance,
                         instalments=[(dt.date(2024, 7, 3), D("600000")), (dt.date(2025, 7, 3), D("600000"))])


def on(day: dt.date):
    return time_machine.travel(dt.datetime.combine(day, dt.time(9, 30), tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)


def test_due_soon_is_sent_from_n_days_before_and_only_once(pledge, settings):
    settings.PLEDGE_REMINDER_DAYS = 14
    first = pledge.instalments.get(sequence=1)
    with on(dt.date(2024, 6, 18)):  # 15 days before
        assert pledge_reminders_task() == {"due": 0, "overdue": 0}
    with on(dt.date(2024, 6, 19)):  # 14 days before
        assert pledge_reminders_task() == {"due": 1, "overdue": 0}
        pledge_reminders_task()  # the beat fired twice, a retried task: still one row
    with on(dt.date(2024, 6, 25)):
        pledge_reminders_send()
    assert events(first) == ["instalment_due"]
    assert "第1期600,000.00元将于2024年7月3日到期" in text(rows(first)[0])
    assert rows(pledge.instalments.get(sequence=2)) == []


def test_a_missed_day_is_made_up_the_next_day(pledge):
    with on(dt.date(2024, 7, 1)):
        pledge_reminders_send()
    assert events(pledge.instalments.get(sequence=1)) == ["instalment_due"]


def test_overdue_is_sent_the_day_after_the_date_once_with_what_is_still_owed(finance, bank, pledge):
    first = pledge.instalments.get(sequence=1)
    with on(dt.date(2024, 7, 3)):
        pledge_reminders_send()
        record(finance, amount="200000.00", donor=bank, instalment=first)  # part of it arrives on the day
        assert events(first) == ["instalment_due"]
    with on(dt.date(2024, 7, 4)):
        assert pledge_reminders_send() == {"due": 0, "overdue": 1}
    with on(dt.date(2024, 7, 20)):
        pledge_reminders_send()
    assert events(first) == ["instalment_due", "instalment_overdue"]
    assert "尚有400,000.00元未收到" in text(rows(first)[1])


def test_an_instalment_paid_in_full_is_not_reminded(finance, bank, pledge):
    first = pledge.instalments.get(sequence=1)
    with on(dt.date(2024, 6, 1)):
        record(finance, amount="600000.00", donor=bank, instalment=first)
    with on(dt.date(2024, 7, 10)):
        pledge_reminders_send()
    assert rows(first) == []


def test_no_consent_no_reminder(finance, bank, pledge):
    donor_update(donor=bank, acting_user=finance, notice_consent=False)
    with on(dt.date(2024, 7, 10)):
        assert pledge_reminders_send() == {"due": 0, "overdue": 0}
    assert not Notice.objects.filter(audience=Notice.Audience.DONOR).exclude(template="donor_receipt").exists()


def test_the_reminders_run_daily_on_the_beat_schedule():
    task = PeriodicTask.objects.get(task=PLEDGE_REMINDERS_TASK)
    assert task.enabled and (task.crontab.hour, task.crontab.minute) == ("9", "30")
    assert task.crontab.timezone.key == "Asia/Shanghai"


def test_the_pledge_page_shows_its_reminders_masked(client, finance, pledge):
    with on(dt.date(2024, 7, 10)):
        pledge_reminders_send()
    client.force_login(finance)
    html = client.get(reverse("admin:donations_pledge_change", args=[pledge.pk])).content.decode()
    assert "donor_instalment_overdue" in html and "139****0168" in html and MOBILE not in html
