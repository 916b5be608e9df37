"""Every figure is traceable: on random ledgers, a statement's rows are exactly the ledger entries
of its period and its totals and balances are the ledger's sums."""
import datetime as dt
import random
from decimal import Decimal

import pytest
from django.db.models import Sum

from disclosure.content import statement_content
from donations.services import donation_cancel
from fundportal.models import LedgerEntry
from tests.donations.helpers import record
from tests.fixtures.factories import DonorFactory, IndividualDonorFactory

pytestmark = pytest.mark.django_db


def ledger_sum(**filters) -> Decimal:
    return LedgerEntry.objects.filter(**filters).aggregate(s=Sum("amount"))["s"] or Decimal("0.00")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_statement_rows_and_totals_are_the_ledgers(history, finance_a, seed):
    rng = random.Random(seed)
    donors = [DonorFactory(created_by=finance_a), IndividualDonorFactory(created_by=finance_a), None]
    for _ in range(40):
        donation = record(finance_a, amount=f"{rng.randint(1, 5_000_000) / 100:.2f}", donor=rng.choice(donors),
                          received_on=dt.date(2023, 1, 1) + dt.timedelta(days=rng.randint(0, 364)))
        if rng.random() < 0.15:
            donation_cancel(donation=donation, reason="银行退回：账户信息有误", acting_user=finance_a)
    for _ in range(6):
        start = dt.date(2023, 1, 1) + dt.timedelta(days=rng.randint(0, 300))
        end = start + dt.timedelta(days=rng.randint(0, 90))
        content = statement_content(start, end)
        entries = LedgerEntry.objects.filter(booked_on__range=(start, end))
        rows = content["income"]["rows"] + content["payouts"]["rows"]
        assert sorted(row["entry"] for row in rows) == sorted(entries.values_list("pk", flat=True))
        assert Decimal(content["opening_balance"]) == ledger_sum(booked_on__lt=start)
        assert Decimal(content["closing_balance"]) == ledger_sum(booked_on__lte=end)
        assert Decimal(content["income"]["total"]) == sum(Decimal(r["amount"]) for r in content["income"]["rows"])
        assert Decimal(content["income"]["total"]) - Decimal(content["payouts"]["total"]) == ledger_sum(
            booked_on__range=(start, end))
        by_kind = sum(Decimal(group["amount"]) for group in content["income"]["by_kind"])
        assert by_kind == Decimal(content["income"]["total"])
