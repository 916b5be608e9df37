"""Bad input gets a clear answer, never a 500: every field of an API write is held to its
column's limits (length, digits, integer range) before the database sees it, with a Chinese 400,
and an amount that would overflow the fund's balance is refused the same way. Nothing is written."""
import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from donations import services
from donations.models import Donation, Receipt
from fundportal.models import FundAccount, LedgerEntry
from fundportal.money import MONEY_MAX
from fundportal.services import FundOverflow, fund_account_main, ledger_post_income
from tests.donations.helpers import record

pytestmark = pytest.mark.django_db

API_URL = reverse("api-donations")
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _body(**changes) -> dict:
    body = {"amount": "500.00", "received_on": (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
            "channel": "bank_transfer", "bank_reference": "RA-LIMITS-1", "is_anonymous": True}
    return {**body, **changes}


def _nothing_written():
    return not Donation.objects.exists() and not LedgerEntry.objects.exists() and not Receipt.objects.exists()


@pytest.mark.parametrize("field, value, limit", [
    ("bank_reference", "R" * 65, "64"),
    ("note", "备" * 201, "200"),
    ("giver_count", 2**31, "2147483647"),
    ("giver_count", 10**40, "2147483647"),
    ("giver_count", 0, "1"),
    ("amount", "1" * 13 + ".00", "14"),
    ("amount", "12.345", "2"),
    ("amount", "1e400", ""),
    ("amount", "NaN", ""),
])
def test_api_over_long_text_huge_counts_and_absurd_amounts_are_a_chinese_400(client, finance, field, value, limit):
    client.force_login(finance)
    response = client.post(API_URL, _body(**{field: value}), content_type="application/json")
    assert response.status_code == 400, response.content[:300]
    message = " ".join(response.json()[field])
    assert CHINESE.search(message) and limit in message, message
    assert _nothing_written()


def test_an_amount_that_would_overflow_the_fund_balance_is_a_chinese_400(client, finance):
    record(finance, amount="1000.00")
    before = (Donation.objects.count(), LedgerEntry.objects.count(), fund_account_main().balance)
    client.force_login(finance)
    response = client.post(API_URL, _body(amount=str(MONEY_MAX)), content_type="application/json")
    assert response.status_code == 400
    assert "金额过大" in str(response.json()["amount"])
    assert (Donation.objects.count(), LedgerEntry.objects.count(), fund_account_main().balance) == before


def test_the_ledger_itself_refuses_a_posting_that_would_overflow_the_balance(finance):
    """The backstop for any caller that skips the donation rules: checked under the account's lock."""
    first = record(finance, amount="1000.00")
    with pytest.raises(FundOverflow) as refused:
        ledger_post_income(amount=MONEY_MAX, source=first, memo="溢出", acting_user=finance)
    assert "上限" in refused.value.messages[0]
    assert LedgerEntry.objects.count() == 1 and FundAccount.objects.get().balance == Decimal("1000.00")


def test_the_service_holds_import_rows_to_the_same_column_limits(finance):
    """Imports and the admin call the service without a serializer: it checks the columns too."""
    with pytest.raises(ValidationError) as refused:
        services.donation_record(acting_user=finance, amount=Decimal("10"), received_on=timezone.localdate(),
                                 channel="cash", is_anonymous=True, note="长" * 201, giver_count=2**40)
    assert set(refused.value.message_dict) == {"note", "giver_count"}
    assert all(CHINESE.search(m) for m in refused.value.messages)
    assert _nothing_written()


def test_a_good_api_write_still_records_the_donation(client, finance):
    client.force_login(finance)
    response = client.post(API_URL, _body(note="备" * 200, bank_reference="R" * 64, giver_count=3126),
                           content_type="application/json")
    assert response.status_code == 201, response.content[:300]
    donation = Donation.objects.get()
    assert (donation.giver_count, len(donation.note), donation.receipts.count()) == (3126, 200, 1)


@pytest.mark.parametrize("persona", ["auditor", "clerk"])
def test_roles_that_may_not_record_are_refused_before_the_input_is_read(request, client, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.post(API_URL, _body(note="备" * 10_000), content_type="application/json")
    assert response.status_code == 403 and _nothing_written()
