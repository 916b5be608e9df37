"""Writes to the shared core: the fund ledger. Every change to the balance goes through here."""
import datetime as dt
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from .audit import records_actor
from .models import ExportLog, FundAccount, LedgerEntry
from .money import MONEY_MAX, format_money, money_fits, to_money

MAIN_FUND_CODE = "main"
MAIN_FUND_NAME = "慈善医疗救助共富基金"


class InsufficientFunds(ValidationError):
    pass


class FundOverflow(ValidationError):
    """An amount whose posting would overflow the balance column: refused before the database."""


def fund_account_main() -> FundAccount:
    """The fund's one account, created on first use (so a flushed test database still has it)."""
    account, _created = FundAccount.objects.get_or_create(code=MAIN_FUND_CODE, defaults={"name": MAIN_FUND_NAME})
    return account


def _open_day(day: dt.date, account: FundAccount) -> dt.date:
    """Published statements close their periods: an entry dated inside a closed period (a gift
    recorded late, a bank result imported late) is booked on the first open day instead, so it
    appears in the next statement rather than in none. Its own date stays on the gift or payout.
    `account` is locked: its closed_through cannot move until this posting commits."""
    closed = account.closed_through
    return max(day, closed + dt.timedelta(days=1)) if closed else day


def fund_account_lock(account: FundAccount | None = None) -> FundAccount:
    """The fund account's row, locked until the transaction ends. Every posting takes it, so
    whoever holds it sees a ledger that nobody is adding to (publishing a statement does)."""
    return FundAccount.objects.select_for_update().get(pk=(account or fund_account_main()).pk)


@records_actor
@transaction.atomic
def fund_period_close(*, account: FundAccount, through: dt.date, acting_user, reason: str = "") -> FundAccount:
    """Close the fund's periods through `through` (never reopening a later close): from now on an
    entry dated on or before it is booked after it. Called by whoever publishes a period's figures,
    holding the account lock from the moment it reads the ledger, so no entry lands in between."""
    account = fund_account_lock(account)
    if account.closed_through is None or through > account.closed_through:
        account.closed_through = through
        account._change_reason = reason or f"结账至 {through.isoformat()}"
        account.save(update_fields=["closed_through", "updated_at"])
    return account


def _post(*, account: FundAccount, kind: str, amount: Decimal, source: models.Model, memo: str,
          acting_user, reverses: LedgerEntry | None = None, booked_on: dt.date | None = None) -> LedgerEntry:
    # The account row lock serialises every posting, so two postings never read the same
    # balance; the CHECK constraints are the backstop if code ever forgets the lock.
    locked = fund_account_lock(account)
    booked_on = _open_day(booked_on or timezone.localdate(), locked)
    new_balance = locked.balance + amount
    if new_balance < 0:
        raise InsufficientFunds(
            "基金余额不足：当前余额 %(balance)s 元，本笔需支出 %(amount)s 元",
            code="insufficient_funds", params={"balance": format_money(locked.balance), "amount": format_money(-amount)},
        )
    if not money_fits(new_balance):
        raise FundOverflow(
            "金额过大：入账后基金余额将超过系统可记录的上限 %(max)s 元，请核对金额",
            code="fund_overflow", params={"max": format_money(MONEY_MAX)},
        )
    entry = LedgerEntry.objects.create(
        account=locked, kind=kind, amount=amount, balance_after=new_balance,
        source_type=ContentType.objects.get_for_model(source), source_id=str(source.pk),
        memo=memo[:200], reverses=reverses, created_by=acting_user, booked_on=booked_on,
    )
    locked.balance = new_balance
    locked.save(update_fields=["balance", "updated_at"])
    account.balance = new_balance
    return entry


@records_actor
@transaction.atomic
def ledger_post_income(*, amount: Decimal, source: models.Model, memo: str, acting_user,
                       account: FundAccount | None = None, booked_on: dt.date | None = None) -> LedgerEntry:
    amount = to_money(amount)
    if amount <= 0:
        raise ValidationError("收入金额必须大于零", code="amount")
    return _post(account=account or fund_account_main(), kind=LedgerEntry.Kind.INCOME, amount=amount,
                 source=source, memo=memo, acting_user=acting_user, booked_on=booked_on)


@records_actor
@transaction.atomic
def ledger_post_payout(*, amount: Decimal, source: models.Model, memo: str, acting_user,
                       account: FundAccount | None = None, booked_on: dt.date | None = None) -> LedgerEntry:
    amount = to_money(amount)
    if amount <= 0:
        raise ValidationError("支出金额必须大于零", code="amount")
    return _post(account=account or fund_account_main(), kind=LedgerEntry.Kind.PAYOUT, amount=-amount,
                 source=source, memo=memo, acting_user=acting_user, booked_on=booked_on)


@records_actor
@transaction.atomic
def ledger_reverse(*, entry: LedgerEntry, reason: str, acting_user, booked_on: dt.date | None = None) -> LedgerEntry:
    """Cancel an entry by posting its opposite; an entry is reversed at most once."""
    if not reason.strip():
        raise ValidationError("冲正必须填写原因", code="reason")
    account = FundAccount.objects.select_for_update().get(pk=entry.account_id)
    if entry.kind == LedgerEntry.Kind.REVERSAL:
        raise ValidationError("冲正分录不能再冲正", code="reverse_reversal")
    if LedgerEntry.objects.filter(reverses=entry).exists():
        raise ValidationError("该分录已经冲正过", code="already_reversed")
    return _post(account=account, kind=LedgerEntry.Kind.REVERSAL, amount=-entry.amount, source=entry.source,
                 memo=f"冲正 #{entry.pk}：{reason}", acting_user=acting_user, reverses=entry, booked_on=booked_on)


def export_log_record(*, acting_user, what: str, row_count: int, filters: dict | None = None) -> ExportLog:
    """Every export of personal data or of the audit trail leaves a row: who, what, how many."""
    return ExportLog.objects.create(user=acting_user, what=what, row_count=row_count,
                                    filters={k: str(v) for k, v in (filters or {}).items() if v})
