"""Receipt numbers and pledge instalments at New Year, on the fund's clock (Beijing time).

The rule (donations/services.py receipt_issue, README "Receipts"): a receipt is numbered
YYYY-NNNNNN by the year it is *issued* in, from that year's own gap-free counter — so the first
receipt issued on 1 January is YYYY-000001 whatever the last one of December was, and a gift that
arrived on 31 December but is entered on 2 January is a new year's receipt that still says, and
is booked on, the day the money arrived. Beijing is UTC+8: the first eight hours of 1 January are
still 31 December in UTC, which is where a date taken in UTC would go wrong.
"""
import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from disclosure.content import income_rows
from donations import services
from donations.models import Donation, ReceiptSequence
from donations.selectors import pledge_progress
from fundportal.models import LedgerEntry
from tests.donations.helpers import record
from tests.fixtures.factories import DonorFactory

from .helpers import at

pytestmark = pytest.mark.django_db
D = Decimal


def gift(finance, received_on: dt.date, amount: str = "1000.00") -> Donation:
    return record(finance, donor=DonorFactory(), amount=amount, received_on=received_on)


def test_the_first_receipt_of_a_beijing_new_year_restarts_at_one_and_december_continues_its_own(finance):
    with at(2023, 6, 1, 10, 0, 0):
        june = gift(finance, dt.date(2023, 6, 1))
    with at(2023, 12, 31, 23, 59, 59):  # 15:59:59 UTC
        last_of_year = gift(finance, dt.date(2023, 12, 31))
    with at(2024, 1, 1, 0, 0, 1):  # 2023-12-31 16:00:01 UTC: a UTC date would still say 2023
        first_of_year = gift(finance, dt.date(2024, 1, 1))
        second_of_year = gift(finance, dt.date(2024, 1, 1))
    numbers = [d.receipts.get().number for d in (june, last_of_year, first_of_year, second_of_year)]
    assert numbers == ["2023-000001", "2023-000002", "2024-000001", "2024-000002"]
    assert [d.receipts.get().year for d in (last_of_year, first_of_year)] == [2023, 2024]
    assert dict(ReceiptSequence.objects.values_list("year", "last_number")) == {2023: 2, 2024: 2}


def test_a_gift_of_new_years_day_may_be_entered_in_its_first_second_and_not_a_second_before(finance):
    # "Not after today" is Beijing's today: at 00:00:01 on 1 January the UTC date is still 31 December.
    with at(2023, 12, 31, 23, 59, 59), pytest.raises(ValidationError, match="到账日期不能晚于今天"):
        gift(finance, dt.date(2024, 1, 1))
    with at(2024, 1, 1, 0, 0, 1):
        donation = gift(finance, dt.date(2024, 1, 1))
    entry = LedgerEntry.objects.get(kind=LedgerEntry.Kind.INCOME)
    assert (donation.receipts.get().number, entry.booked_on) == ("2024-000001", dt.date(2024, 1, 1))


def test_a_december_gift_entered_in_january_gets_the_new_years_number_but_keeps_its_day(finance):
    with at(2023, 12, 30, 15, 0, 0):
        gift(finance, dt.date(2023, 12, 30))
    with at(2024, 1, 2, 9, 0, 0):
        late = gift(finance, dt.date(2023, 12, 31), amount="5000.00")
    receipt = late.receipts.get()
    assert (receipt.number, receipt.year, receipt.received_on) == ("2024-000001", 2024, dt.date(2023, 12, 31))
    # The money belongs to the year it arrived in: 2023's figures, not 2024's.
    december, _ = income_rows(dt.date(2023, 1, 1), dt.date(2023, 12, 31))
    january, _ = income_rows(dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    assert [r["amount"] for r in december] == ["1000.00", "5000.00"]
    assert january == []
    # 2023's counter is left as it was: its numbers stay gap-free and final.
    assert ReceiptSequence.objects.get(year=2023).last_number == 1


def test_a_december_receipt_voided_in_january_is_replaced_by_a_new_years_number(finance):
    with at(2023, 12, 31, 20, 0, 0):
        receipt = gift(finance, dt.date(2023, 12, 31)).receipts.get()
    with at(2024, 1, 3, 9, 0, 0):
        replacement = services.receipt_void_and_reissue(receipt=receipt, reason="单位名称有误", acting_user=finance)
    assert (receipt.number, replacement.number) == ("2023-000001", "2024-000001")
    assert replacement.received_on == dt.date(2023, 12, 31)
    assert ReceiptSequence.objects.get(year=2023).last_number == 1


def test_an_instalment_due_on_new_years_eve_is_in_arrears_from_the_first_second_of_the_new_year(finance):
    with at(2023, 12, 1, 10, 0, 0):
        bank = DonorFactory(name="瑞安农商银行")
        schedule = services.pledge_schedule_even(total=D("3000000"), count=5, first_due=dt.date(2023, 12, 31))
        pledge = services.pledge_create(donor=bank, total=D("3000000"), signed_on=dt.date(2023, 12, 1),
                                        instalments=schedule, acting_user=finance)
    # One a year, each on 31 December: the year-end is the schedule's own rhythm.
    assert [due for due, _amount in schedule] == [dt.date(y, 12, 31) for y in range(2023, 2028)]
    with at(2023, 12, 31, 23, 59, 59):
        assert pledge_progress(pledge=pledge).arrears == D("0")  # due today: not yet late
    with at(2024, 1, 1, 0, 0, 1):  # still 31 December in UTC
        progress = pledge_progress(pledge=pledge)
        assert progress.arrears == D("600000.00")
        assert [row.overdue for row in progress.instalments] == [True, False, False, False, False]
