"""Every date has a sensible range, with a Chinese message: business dates (a gift received, a bank
payment, a home visit, a meeting) not before the fund existed nor in the future; settlement data
and invoices not before the earliest data year; births and deaths those of a real person; plans
(instalments, campaigns) from the fund's first day to a few decades ahead."""
import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from assistance.payouts import bankfiles
from assistance.intake.services import death_validate, settlement_import_create
from donations import services
from donations.models import Campaign, Donation
from fundportal.dates import BUSINESS, DATE_KINDS, PERSONAL, SCHEDULE, SETTLEMENT, DateRangeValidator
from fundportal.models import LedgerEntry
from tests.fixtures.factories import DonorFactory

API_URL = reverse("api-donations")


def _date_fields():
    for model in apps.get_models():
        if hasattr(model, "instance_type"):
            continue  # simple_history's copies: never written through a form or a service
        for field in model._meta.get_fields():
            if isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField):
                yield model, field


def test_every_model_date_field_carries_a_range_validator():
    fields = list(_date_fields())
    assert len(fields) >= 15
    missing = [f"{model._meta.label}.{field.name}" for model, field in fields
               if not any(isinstance(v, DateRangeValidator) for v in field.validators)]
    assert missing == [], f"give these a kind in fundportal.dates.DATE_KINDS: {missing}"
    assert set(DATE_KINDS) == {f"{model._meta.label}.{field.name}" for model, field in fields}


@pytest.mark.parametrize("label, absurd", [
    ("donations.Donation.received_on", dt.date(1, 1, 1)),
    ("assistance.ReviewCase.visited_on", dt.date(1900, 1, 1)),
    ("assistance.Meeting.held_on", dt.date(2099, 1, 1)),
    ("assistance.SettlementRecord.settled_on", dt.date(1999, 12, 31)),
    ("assistance.InsuredPerson.birth_date", dt.date(1800, 1, 1)),
    ("donations.PledgeInstalment.due_on", dt.date(2300, 1, 1)),
])
def test_each_kind_refuses_its_absurd_dates_in_chinese(label, absurd):
    app_label, model_name, name = label.split(".")
    field = apps.get_model(app_label, model_name)._meta.get_field(name)
    with pytest.raises(ValidationError) as refused:
        field.run_validators(absurd)
    assert "不在合理范围内" in refused.value.messages[0] and str(field.verbose_name) in refused.value.messages[0]


def test_the_bounds_come_from_the_settings_and_today(settings):
    today = timezone.localdate()
    settings.FUND_START_DATE, settings.DATA_EARLIEST_DATE = dt.date(2024, 3, 1), dt.date(2016, 1, 1)
    assert BUSINESS.bounds() == (dt.date(2024, 3, 1), today)
    assert SETTLEMENT.bounds() == (dt.date(2016, 1, 1), today)
    assert PERSONAL.bounds()[0] == dt.date(1890, 1, 1)
    assert SCHEDULE.bounds()[1].year == today.year + 30


# ---------------------------------------------------------------------- through the write paths

@pytest.mark.django_db
def test_a_donation_received_on_0001_01_01_is_a_chinese_400_through_the_api(client, finance):
    client.force_login(finance)
    response = client.post(API_URL, {"amount": "100", "received_on": "0001-01-01", "channel": "cash",
                                     "is_anonymous": True}, content_type="application/json")
    assert response.status_code == 400
    assert "2023年1月1日（基金设立之日）" in str(response.json()["received_on"])
    assert not Donation.objects.exists() and not LedgerEntry.objects.exists()


@pytest.mark.django_db
def test_a_donation_before_the_fund_existed_is_refused_in_the_admin_form(client, finance):
    client.force_login(finance)
    response = client.post(reverse("admin:donations_donation_add"), {
        "donor": DonorFactory().pk, "amount": "500", "received_on": "2019-05-01", "channel": "cash",
        "giver_count": "1", "submission_key": str(uuid.uuid4())})
    assert response.status_code == 200 and "不在合理范围内" in response.content.decode()
    assert not Donation.objects.exists()


@pytest.mark.django_db
@override_settings(FUND_START_DATE=dt.date(2024, 1, 1))
def test_the_fund_start_setting_moves_the_bound(finance):
    with pytest.raises(ValidationError) as refused:
        services.donation_record(acting_user=finance, amount=Decimal("10"), received_on=dt.date(2023, 12, 31),
                                 channel="cash", is_anonymous=True)
    assert "2024年1月1日" in str(refused.value.message_dict["received_on"])


@pytest.mark.django_db
def test_a_pledge_signed_before_the_fund_or_due_in_three_centuries_is_refused(finance):
    donor = DonorFactory()
    with pytest.raises(ValidationError) as signed_early:
        services.pledge_create(donor=donor, total=Decimal("1000"), signed_on=dt.date(1990, 1, 1),
                               instalments=[(dt.date(2024, 1, 1), Decimal("1000"))], acting_user=finance)
    assert "signed_on" in signed_early.value.message_dict
    with pytest.raises(ValidationError) as due_late:
        services.pledge_create(donor=donor, total=Decimal("1000"), signed_on=dt.date(2023, 6, 1),
                               instalments=[(dt.date(2323, 6, 1), Decimal("1000"))], acting_user=finance)
    assert "分期应到日期" in due_late.value.messages[0]


@pytest.mark.django_db
def test_a_campaign_starting_in_1900_is_refused_by_its_admin_form(client, admin_user):
    client.force_login(admin_user)
    response = client.post(reverse("admin:donations_campaign_add"), {"name": "百年活动", "starts_on": "1900-01-01"})
    assert response.status_code == 200 and "不在合理范围内" in response.content.decode()
    assert not Campaign.objects.exists()


def test_a_bank_result_dated_before_the_fund_is_refused_with_its_line():
    content = "参考号,金额,结果,日期\nZF1-0001,100.00,成功,1999-03-28\n".encode()
    with pytest.raises(ValidationError) as refused:
        bankfiles.result_lines(content, "回单.csv")
    assert any("第 2 行：银行日期“1999-03-28”不在合理范围内" in m for m in refused.value.messages)


def test_a_death_in_the_eighteenth_century_is_refused():
    with pytest.raises(ValidationError) as refused:
        death_validate(is_deceased=True, died_on=dt.date(1789, 7, 14))
    assert "不在合理范围内" in str(refused.value.message_dict["died_on"])


@pytest.mark.django_db
@override_settings(DATA_EARLIEST_DATE=dt.date(2018, 1, 1))
def test_settlement_data_before_the_earliest_data_year_is_refused(msb):
    with pytest.raises(ValidationError) as refused:
        settlement_import_create(year=2017, file_name="2017.csv", acting_user=msb)
    assert "2018" in str(refused.value.message_dict["year"])
    assert settlement_import_create(year=2018, file_name="2018.csv", acting_user=msb).year == 2018
