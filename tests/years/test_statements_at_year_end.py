"""Statement periods at the year's end, on the fund's clock (Beijing time).

- a year (month, quarter) statement covers a whole calendar period that has ended: the 2023 one
  may be asked for from 00:00 on 1 January 2024 in Beijing, not a second before;
- the 1st's scheduled build, run just after Beijing midnight, builds the year (quarter, month)
  just ended;
- the ledger's rows are dated by business day in Beijing: a gift or a payment of 31 December is
  the old year's, one of 00:00:01 on 1 January the new year's, and the year's closing balance is
  the next year's opening balance;
- once the year's statement is published (its period closed), a late December gift is booked on
  1 January and published with the new year, never lost and never changing the old year;
- a 公示 that runs over New Year is reported by the statement of the year it ends in.
"""
import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from assistance.council.services import meeting_record, resolution_draft_payouts, resolution_sign
from assistance.models import CouncilMember, Payout, Publicity
from assistance.payouts.services import batch_export, payout_batch_create
from disclosure.content import statement_content
from disclosure.models import Statement
from disclosure.publicity import publicity_section
from disclosure.services import period_error, statement_request
from disclosure.tasks import statement_scheduled_task
from fundportal.models import LedgerEntry
from fundportal.services import fund_account_main, fund_period_close
from tests.donations.helpers import record
from tests.fixtures.council import fund
from tests.fixtures.factories import DonorFactory
from tests.payouts.helpers import reconcile

from .helpers import approved_scheme, at, ready_of_year

pytestmark = pytest.mark.django_db
D = Decimal
YEAR_2023 = (dt.date(2023, 1, 1), dt.date(2023, 12, 31))
YEAR_2024 = (dt.date(2024, 1, 1), dt.date(2024, 12, 31))


def totals(period) -> tuple[str, str, str]:
    content = statement_content(*period)
    return content["opening_balance"], content["income"]["total"], content["closing_balance"]


def test_a_year_may_be_stated_from_beijings_first_second_of_the_next(finance):
    with at(2023, 12, 31, 23, 59, 59):
        assert "只能公示已经结束的期间" in period_error("year", *YEAR_2023)
        with pytest.raises(ValidationError, match="只能公示已经结束的期间"):
            statement_request(kind="year", period_start=YEAR_2023[0], period_end=YEAR_2023[1], acting_user=finance)
    with at(2024, 1, 1, 0, 0, 1):  # 31 December in UTC
        assert period_error("year", *YEAR_2023) is None
        assert period_error("month", dt.date(2023, 12, 1), dt.date(2023, 12, 31)) is None
        assert period_error("quarter", dt.date(2023, 10, 1), dt.date(2023, 12, 31)) is None
    # A year is a calendar year: not 2 January to 1 January.
    assert "完整的自然月、季、年" in period_error("year", dt.date(2023, 1, 2), dt.date(2024, 1, 1))


def test_the_first_of_januarys_scheduled_builds_state_the_periods_just_ended(db):
    with at(2024, 1, 1, 0, 5, 0):  # beat's run just after midnight: 31 December 16:05 in UTC
        ids = [statement_scheduled_task(kind) for kind in ("month", "quarter", "year")]
    assert [(s.kind, s.period_start, s.period_end, s.title) for s in Statement.objects.filter(pk__in=ids)
            .order_by("period_start")] == [
        ("year", dt.date(2023, 1, 1), dt.date(2023, 12, 31), "2023年度收支公示"),
        ("quarter", dt.date(2023, 10, 1), dt.date(2023, 12, 31), "2023年第四季度收支公示"),
        ("month", dt.date(2023, 12, 1), dt.date(2023, 12, 31), "2023年12月收支公示")]


def test_the_ledger_splits_the_years_at_beijing_midnight(finance):
    with at(2023, 6, 1, 10, 0, 0):
        record(finance, donor=DonorFactory(), amount="1000.00", received_on=dt.date(2023, 6, 1))
    with at(2023, 12, 31, 23, 59, 59):
        record(finance, donor=DonorFactory(), amount="200.00", received_on=dt.date(2023, 12, 31))
    with at(2024, 1, 1, 0, 0, 1):  # 31 December in UTC
        record(finance, donor=DonorFactory(), amount="4.00", received_on=dt.date(2024, 1, 1))
    assert sorted(LedgerEntry.objects.values_list("booked_on", "amount")) == [
        (dt.date(2023, 6, 1), D("1000.00")), (dt.date(2023, 12, 31), D("200.00")), (dt.date(2024, 1, 1), D("4.00"))]
    with at(2025, 1, 2, 9, 0, 0):
        assert totals(YEAR_2023) == ("0.00", "1200.00", "1200.00")
        assert totals(YEAR_2024) == ("1200.00", "4.00", "1204.00")
        assert totals((dt.date(2023, 12, 1), dt.date(2023, 12, 31)))[1:] == ("200.00", "1200.00")
        assert totals((dt.date(2024, 1, 1), dt.date(2024, 1, 31)))[0] == "1200.00"


def test_a_december_gift_entered_after_the_year_was_published_goes_into_the_next_year(finance):
    with at(2023, 12, 20, 10, 0, 0):
        record(finance, donor=DonorFactory(), amount="1000.00", received_on=dt.date(2023, 12, 20))
    with at(2024, 1, 10, 10, 0, 0):
        # What publishing the 2023 statement does to the ledger (disclosure/services.py).
        fund_period_close(account=fund_account_main(), through=dt.date(2023, 12, 31), acting_user=finance)
        late = record(finance, donor=DonorFactory(), amount="500.00", received_on=dt.date(2023, 12, 31))
    entry = LedgerEntry.objects.get(source_id=str(late.pk), kind=LedgerEntry.Kind.INCOME)
    assert (late.received_on, late.receipts.get().received_on) == (dt.date(2023, 12, 31), dt.date(2023, 12, 31))
    assert entry.booked_on == dt.date(2024, 1, 1)  # the first open day
    with at(2025, 1, 2, 9, 0, 0):
        assert totals(YEAR_2023) == ("0.00", "1000.00", "1000.00")  # as published
        assert totals(YEAR_2024) == ("1000.00", "500.00", "1500.00")


@pytest.fixture
def paid_over_new_year(secretary, clerk, town, finance_a, finance_b):
    """Two families approved in December 2024, their 公示 over, sent to the bank on 27 December;
    the bank's answer is imported on 1 January 2025 just after midnight: one paid on 31 December
    by the bank's date, the other with no date (the day of import: 1 January in Beijing, still
    31 December in UTC)."""
    with at(2024, 12, 10, 10, 0, 0):
        record(finance_a, donor=DonorFactory(), amount="100000.00", received_on=dt.date(2024, 12, 10))
        scheme = approved_scheme(secretary, 2023)
        first = ready_of_year(clerk, town, 2023, out_of_pocket="55000")   # 35,000
        second = ready_of_year(clerk, town, 2023, out_of_pocket="35000")  # 21,000
        members = list(CouncilMember.objects.order_by("order"))[:3]
        meeting = meeting_record(acting_user=secretary, held_on=dt.date(2024, 12, 10), title="理事会会议",
                                 agenda="审议救助名单", attendance=[(m, f"{m.name}代表") for m in members])
        resolution = resolution_sign(resolution=resolution_draft_payouts(meeting=meeting, scheme=scheme,
                                                                         acting_user=secretary), acting_user=secretary)
    with at(2024, 12, 27, 10, 0, 0):
        batch = payout_batch_create(resolution=resolution, acting_user=finance_a)
        batch_export(batch=batch, acting_user=finance_a)
    one, two = (Payout.objects.get(application=first), Payout.objects.get(application=second))
    with at(2025, 1, 1, 0, 0, 1):  # 31 December in UTC
        reconcile(batch, ("参考号,金额,结果,交易日期\n"
                          f"{one.reference},{one.amount},成功,2024-12-31\n"
                          f"{two.reference},{two.amount},成功,\n").encode(), finance_b)
    return one, two


def test_a_payment_is_the_year_of_the_banks_day(paid_over_new_year):
    one, two = paid_over_new_year
    one.refresh_from_db()
    two.refresh_from_db()
    assert (one.state, two.state) == (Payout.State.PAID, Payout.State.PAID)
    assert one.reference.startswith("ZF2024-1-")  # the resolution's number: 2024-第1号
    with at(2025, 1, 2, 9, 0, 0):
        year_2024 = statement_content(*YEAR_2024)
        year_2025 = statement_content(dt.date(2025, 1, 1), dt.date(2025, 1, 1))
    assert [row["amount"] for row in year_2024["payouts"]["rows"]] == ["35000.00"]
    assert [row["amount"] for row in year_2025["payouts"]["rows"]] == ["21000.00"]


def test_a_publicity_running_over_new_year_is_reported_with_the_year_it_ends_in(secretary, clerk, town, finance_a):
    with at(2024, 12, 30, 10, 0, 0):
        fund("100000", finance_a)
        scheme = approved_scheme(secretary, 2023)
        ready_of_year(clerk, town, 2023, out_of_pocket="55000")
        members = list(CouncilMember.objects.order_by("order"))[:3]
        meeting = meeting_record(acting_user=secretary, held_on=dt.date(2024, 12, 30), title="理事会会议",
                                 agenda="审议救助名单", attendance=[(m, f"{m.name}代表") for m in members])
        resolution_sign(resolution=resolution_draft_payouts(meeting=meeting, scheme=scheme, acting_user=secretary),
                        acting_user=secretary)
    publicity = Publicity.objects.get()
    assert (publicity.starts_on, publicity.ends_on) == (dt.date(2024, 12, 30), dt.date(2025, 1, 5))
    assert publicity_section("year", *YEAR_2024)["rows"] == []
    assert [row["publicity"] for row in publicity_section("year", dt.date(2025, 1, 1), dt.date(2025, 12, 31))["rows"]
            ] == [publicity.pk]
    assert publicity_section("month", dt.date(2024, 12, 1), dt.date(2024, 12, 31))["rows"] == []
