"""A screening run's data fingerprint (rows | out-of-pocket total | total cost) is computed from
exact sums — whole fen, never a database's float sum (SQLite gave 17559578.0899999) — and reads
as money: the "same data → same result" check compares the same text on either database."""
import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from assistance.models import SettlementRecord
from assistance.intake.services import screening_run_create, screening_run_execute
from tests.fixtures.screening import YEAR, make_run

pytestmark = pytest.mark.django_db

# Amounts whose float sum is not the decimal sum (0.1 + 0.2 …), and a large one.
AMOUNTS = [("0.10", "0.10"), ("0.20", "0.20"), ("17559577.79", "48097501.48")]


def _settle(person, number, total, out_of_pocket):
    SettlementRecord.objects.create(
        person=person, year=YEAR, settlement_no=number, settled_on=dt.date(YEAR, 3, 1), institution="瑞安市人民医院",
        total_cost=Decimal(total), fund_basic=Decimal(total) - Decimal(out_of_pocket), fund_critical=0,
        fund_assistance=0, out_of_pocket=Decimal(out_of_pocket))


@pytest.fixture
def settled(msb, regions):
    person = make_run(msb, [(1, regions["hantian"])]).targets.get().person
    for number, (out_of_pocket, total) in enumerate(AMOUNTS):
        _settle(person, f"JS{number}", total, out_of_pocket)


def test_the_data_fingerprint_is_exact_and_reads_as_money(settled, msb, client):
    run = screening_run_execute(run=screening_run_create(year=YEAR, acting_user=msb, queue=False))
    assert run.data_fingerprint == "3 | 17,559,578.09 | 48,097,501.78"
    again = screening_run_execute(run=screening_run_create(year=YEAR, acting_user=msb, queue=False))
    assert again.data_fingerprint == run.data_fingerprint
    client.force_login(msb)
    page = client.get(reverse("admin:assistance_screeningrun_change", args=[run.pk])).content.decode()
    assert "17,559,578.09" in page and "17559578" not in page
