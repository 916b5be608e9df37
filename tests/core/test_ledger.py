"""The fund ledger: append-only, never below zero, serialised postings."""
from decimal import Decimal

import pytest
from django.db import DatabaseError, IntegrityError, InternalError, connection, transaction

from fundportal.models import FundAccount, LedgerEntry
from fundportal.services import (
    InsufficientFunds, fund_account_main, ledger_post_income, ledger_post_payout, ledger_reverse,
)
from tests.concurrency import run_concurrently


@pytest.fixture
def fund(db):
    return fund_account_main()


@pytest.fixture
def source(finance):
    # Any saved row can cause an entry; the user row is a convenient one for core tests.
    return finance


def test_income_and_payout_move_the_balance(fund, finance, source):
    ledger_post_income(amount=Decimal("1000.00"), source=source, memo="测试收入", acting_user=finance)
    entry = ledger_post_payout(amount=Decimal("250.50"), source=source, memo="测试支出", acting_user=finance)
    fund.refresh_from_db()
    assert fund.balance == Decimal("749.50")
    assert entry.amount == Decimal("-250.50") and entry.balance_after == Decimal("749.50")
    assert entry.source == source


def test_payout_beyond_the_balance_is_refused_and_writes_nothing(fund, finance, source):
    ledger_post_income(amount=Decimal("100.00"), source=source, memo="收入", acting_user=finance)
    with pytest.raises(InsufficientFunds, match="余额不足"):
        ledger_post_payout(amount=Decimal("100.01"), source=source, memo="超额支出", acting_user=finance)
    fund.refresh_from_db()
    assert fund.balance == Decimal("100.00")
    assert LedgerEntry.objects.count() == 1


def test_entries_cannot_be_updated_or_deleted_through_the_orm(fund, finance, source):
    entry = ledger_post_income(amount=Decimal("10.00"), source=source, memo="收入", acting_user=finance)
    entry.memo = "改过的摘要"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        LedgerEntry.objects.filter(pk=entry.pk).update(memo="x")
    with pytest.raises(PermissionError):
        LedgerEntry.objects.all().delete()


@pytest.mark.parametrize("sql", [
    "UPDATE fundportal_ledgerentry SET amount = 999 WHERE id = %s",
    "DELETE FROM fundportal_ledgerentry WHERE id = %s",
])
def test_entries_cannot_be_rewritten_even_with_raw_sql(fund, finance, source, sql):
    entry = ledger_post_income(amount=Decimal("10.00"), source=source, memo="收入", acting_user=finance)
    with pytest.raises(InternalError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [entry.pk])
    assert LedgerEntry.objects.get(pk=entry.pk).amount == Decimal("10.00")


def test_database_refuses_a_negative_balance_even_without_the_service(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        FundAccount.objects.create(code="other", name="另一账户", balance=Decimal("-0.01"))


@pytest.mark.parametrize("balance", ["-0.01", "0.01", "1000000.00"])
def test_the_balance_cannot_drift_away_from_the_ledger(fund, finance, source, balance):
    ledger_post_income(amount=Decimal("10.00"), source=source, memo="收入", acting_user=finance)
    with pytest.raises(DatabaseError, match="balance"), transaction.atomic():
        FundAccount.objects.filter(pk=fund.pk).update(balance=Decimal(balance))
    fund.refresh_from_db()
    assert fund.balance == Decimal("10.00")


def test_a_reversal_cancels_an_entry_once(fund, finance, source):
    entry = ledger_post_income(amount=Decimal("500.00"), source=source, memo="误记收入", acting_user=finance)
    reversal = ledger_reverse(entry=entry, reason="重复登记", acting_user=finance)
    fund.refresh_from_db()
    assert fund.balance == Decimal("0.00")
    assert reversal.kind == LedgerEntry.Kind.REVERSAL and reversal.reverses == entry
    with pytest.raises(Exception, match="已经冲正"):
        ledger_reverse(entry=entry, reason="再冲一次", acting_user=finance)


def test_reversing_income_already_spent_is_refused(fund, finance, source):
    entry = ledger_post_income(amount=Decimal("500.00"), source=source, memo="收入", acting_user=finance)
    ledger_post_payout(amount=Decimal("400.00"), source=source, memo="支出", acting_user=finance)
    with pytest.raises(InsufficientFunds):
        ledger_reverse(entry=entry, reason="误记", acting_user=finance)


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_payouts_never_overdraw_the_fund(finance):
    fund = fund_account_main()
    ledger_post_income(amount=Decimal("1000.00"), source=finance, memo="收入", acting_user=finance)

    def pay(_index):
        return ledger_post_payout(amount=Decimal("100.00"), source=finance, memo="并发支出", acting_user=finance)

    results = run_concurrently(pay, 20)
    paid = [r for r in results if isinstance(r, LedgerEntry)]
    refused = [r for r in results if isinstance(r, InsufficientFunds)]
    assert len(paid) == 10 and len(refused) == 10, results
    fund.refresh_from_db()
    assert fund.balance == Decimal("0.00")
    # Each entry saw the balance the previous one left: a strict chain, no two from the same balance.
    balances = sorted(e.balance_after for e in LedgerEntry.objects.filter(kind=LedgerEntry.Kind.PAYOUT))
    assert balances == [Decimal(100 * i) for i in range(10)]


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_incomes_all_count(finance):
    fund = fund_account_main()

    def give(index):
        return ledger_post_income(amount=Decimal("10.01"), source=finance, memo=f"收入{index}", acting_user=finance)

    results = run_concurrently(give, 20)
    assert all(isinstance(r, LedgerEntry) for r in results), results
    fund.refresh_from_db()
    assert fund.balance == Decimal("200.20")


def test_a_donation_is_booked_on_its_day_of_receipt(finance):
    import datetime as dt

    from tests.donations.helpers import record

    donation = record(finance, amount="500.00", received_on=dt.date(2023, 6, 18))
    entry = LedgerEntry.objects.get(kind=LedgerEntry.Kind.INCOME, source_id=str(donation.pk))
    assert entry.booked_on == dt.date(2023, 6, 18)
