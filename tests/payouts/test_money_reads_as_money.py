"""Money is written like money wherever the portal prints it: 100,000.00 元 in labels and
messages (one helper, fundportal.money.money_label), two places in every admin list column, and
totals quantised to the fen by the selectors whatever the database's Sum() returns (SQLite's
reads 256680.720000000, or 165822)."""
import datetime as dt
from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.admin.utils import lookup_field
from django.db.models.query import QuerySet
from django.urls import reverse

from assistance.applications.services import application_prefill
from assistance.council.selectors import granted_this_year, held_for_approved
from assistance.models import InsuredPerson, Payout, ResolutionItem, ScreeningRun, SettlementRecord, WarningTarget
from assistance.payouts.services import payout_batch_create
from assistance.intake.selectors import person_cost_summary
from fundportal import money

from tests.fixtures.council import YEAR

pytestmark = pytest.mark.django_db


def test_the_money_label_is_grouped_with_two_places_and_the_unit():
    assert money.money_label(Decimal("100000")) == "100,000.00 元"
    assert money.money_label(Decimal("256680.720000000")) == "256,680.72 元"
    assert money.money_label(Decimal("0")) == "0.00 元"


def test_labels_print_their_amounts_like_money(signed, finance_a, msb):
    resolution, _first, _second = signed
    batch = payout_batch_create(resolution=resolution, acting_user=finance_a)
    payout = batch.payouts.order_by("id").first()
    assert str(payout) == f"{payout.reference} 35,000.00 元"
    item = ResolutionItem.objects.get(pk=payout.item_id)
    assert str(item).endswith("批准 35,000.00 元")
    run = ScreeningRun.objects.create(year=YEAR, threshold=Decimal("50000"), created_by=msb)
    assert str(run).endswith("（自付 ≥ 50,000.00 元）")
    target = WarningTarget(run=run, person=payout.application.person, total_cost=Decimal("90000"),
                           fund_paid=Decimal("30000"), out_of_pocket=Decimal("60000"), settlement_count=1,
                           own_share=Decimal("0.6667"))
    assert str(target).endswith("自付 60,000.00 元")


@pytest.fixture
def long_tailed_sums(monkeypatch):
    """Sum() as SQLite returns it: the right value with a long tail of zeros."""
    aggregate = QuerySet.aggregate

    def with_tails(self, *args, **kwargs):
        return {key: Decimal(f"{value}0000000") if isinstance(value, Decimal) else value
                for key, value in aggregate(self, *args, **kwargs).items()}

    monkeypatch.setattr(QuerySet, "aggregate", with_tails)


def _two_places(amount: Decimal) -> bool:
    return amount.as_tuple().exponent == -2


def test_selector_totals_are_quantised_whatever_the_database_returns(signed, finance_a, long_tailed_sums):
    resolution, first, _second = signed
    person = first.person
    SettlementRecord.objects.create(
        year=YEAR, settlement_no="JS-1", person=person, settled_on=dt.date(YEAR, 3, 5), institution="瑞安市人民医院",
        total_cost=Decimal("256680.72"), fund_basic=Decimal("169189.88"), out_of_pocket=Decimal("87490.84"))
    totals = application_prefill(resident_id=person.resident_id, year=YEAR).totals
    assert totals == {"total_cost": Decimal("256680.72"), "fund_paid": Decimal("169189.88"),
                      "out_of_pocket": Decimal("87490.84")}
    assert all(_two_places(amount) for amount in totals.values())
    summary = person_cost_summary(person=person, year=YEAR)
    assert _two_places(summary.total_cost) and _two_places(summary.out_of_pocket)
    assert _two_places(granted_this_year(person_id=person.pk, year=YEAR))
    assert _two_places(held_for_approved())


def test_the_clerks_form_shows_the_msb_totals_with_two_places(client, clerk, signed, long_tailed_sums):
    person = InsuredPerson.objects.order_by("id").first()
    SettlementRecord.objects.create(
        year=YEAR, settlement_no="JS-2", person=person, settled_on=dt.date(YEAR, 3, 5), institution="瑞安市人民医院",
        total_cost=Decimal("256680.72"), fund_basic=Decimal("169189.88"), out_of_pocket=Decimal("87490.84"))
    client.force_login(clerk)
    html = client.post(reverse("workspace:new"), {"step": "lookup", "resident_id": person.resident_id,
                                                  "year": YEAR}).content.decode()
    assert "256,680.72 元" in html and "169,189.88 元" in html and "256,680.720" not in html


def test_every_admin_list_column_computed_by_a_method_shows_money_with_two_places(rf, admin_user, signed,
                                                                                finance_a):
    payout_batch_create(resolution=signed[0], acting_user=finance_a)
    request = rf.get("/")
    request.user = admin_user
    checked = 0
    for model, model_admin in admin.site._registry.items():
        obj = model_admin.get_queryset(request).first()
        if obj is None:
            continue
        for name in model_admin.get_list_display(request):
            field, _attr, value = lookup_field(name, obj, model_admin)
            if field is None:  # a method or property: Django would print a Decimal as it came
                assert not isinstance(value, Decimal), (model, name, value)
                checked += 1
    assert checked >= 10


def test_the_batch_list_shows_its_total_with_two_places(client, signed, finance_a):
    payout_batch_create(resolution=signed[0], acting_user=finance_a)
    client.force_login(finance_a)
    html = client.get(reverse("admin:assistance_payoutbatch_changelist")).content.decode()
    assert '<td class="field-total">56,000.00</td>' in html
    assert Payout.objects.count() == 2
