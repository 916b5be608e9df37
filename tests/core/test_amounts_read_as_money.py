"""An amount printed by Python — a record's own text (what the audit trail, selects and messages
show), a list column, a message — reads as money: 1,234,567.80, grouped, two places, through
fundportal.money (format_money / money_label), never the bare Decimal (1234567.80) or a
database's float sum (17559578.0899999)."""
import datetime as dt
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models

from fundportal.money import MoneyField

pytestmark = pytest.mark.django_db

AMOUNT = Decimal("1234567.80")
GROUPED, BARE = "1,234,567.80", "1234567"
PORTAL_APPS = ("fundportal", "donations", "assistance", "disclosure")


def _unsaved(model, depth=0):
    """An instance of `model` with every money field at AMOUNT and its required relations filled
    (unsaved instances all the way down): what its __str__ needs."""
    values = {}
    for field in model._meta.concrete_fields:
        if isinstance(field, MoneyField):
            values[field.name] = -AMOUNT if field.name == "amount" and model._meta.model_name == "ledgerentry" else AMOUNT
        elif (field.many_to_one or field.one_to_one) and not field.null and depth < 3 \
                and not field.related_model._meta.abstract:
            values[field.name] = _unsaved(field.related_model, depth + 1)
        elif isinstance(field, models.DateTimeField):
            values[field.name] = dt.datetime(2024, 3, 5, 14, 7, tzinfo=dt.timezone.utc)
        elif isinstance(field, models.DateField):
            values[field.name] = dt.date(2024, 3, 5)
    return model(**{k: v for k, v in values.items()})


def _money_models():
    for app in PORTAL_APPS:
        for model in apps.get_app_config(app).get_models():
            if not hasattr(model, "instance_type") and any(isinstance(f, MoneyField) for f in model._meta.fields):
                yield model


def test_every_records_own_text_prints_its_amount_grouped():
    printed, checked = [], 0
    for model in _money_models():
        text = str(_unsaved(model))
        assert BARE not in text.replace(",", "") or GROUPED in text, (model._meta.label, text)
        checked += 1
        if GROUPED in text:
            printed.append(model._meta.label_lower)
    assert checked >= 10
    # The records whose text names their amount (the audit trail's "支出分录：→ #176 支出 -100,000.00 元").
    assert {"fundportal.ledgerentry", "donations.donation", "donations.pledge", "donations.pledgeinstalment",
            "assistance.payout", "assistance.resolutionitem"} <= set(printed)


def test_a_ledger_entry_reads_as_money_in_the_audit_trail():
    from fundportal.models import LedgerEntry

    entry = LedgerEntry(pk=176, kind=LedgerEntry.Kind.PAYOUT, amount=Decimal("-100000.00"))
    assert str(entry) == "#176 支出 -100,000.00 元"


def test_the_pledge_progress_column_reads_as_money(finance):
    from donations.admin import PledgeAdmin
    from donations.models import Pledge
    from django.contrib import admin
    from tests.fixtures.factories import DonorFactory
    from donations.services import pledge_create

    pledge = pledge_create(donor=DonorFactory(), total=Decimal("3000000.00"), signed_on=dt.date(2024, 1, 1),
                           instalments=[(dt.date(2024, 2, 1), Decimal("3000000.00"))], acting_user=finance)
    column = PledgeAdmin(Pledge, admin.site).progress(pledge)
    assert "未到账 3,000,000.00 元" in column and "3000000" not in column


def test_an_instalment_overpaid_says_so_in_money(finance):
    from donations.services import donation_record, pledge_create
    from tests.fixtures.factories import DonorFactory

    donor = DonorFactory()
    pledge = pledge_create(donor=donor, total=Decimal("1500000.00"), signed_on=dt.date(2024, 1, 1),
                           instalments=[(dt.date(2024, 2, 1), Decimal("1500000.00"))], acting_user=finance)
    with pytest.raises(ValidationError) as refused:
        donation_record(donor=donor, amount=Decimal("2000000.00"), received_on=dt.date(2024, 2, 1), channel="cash",
                        instalment=pledge.instalments.get(), acting_user=finance)
    assert "尚未到账 1,500,000.00 元，本笔 2,000,000.00 元超出" in refused.value.message_dict["instalment"][0]
