"""Recording donations: ledger entry and receipt in the same transaction, pledges, donors."""
import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from donations import services
from donations.models import Donation, Donor, Receipt
from donations.selectors import pledge_progress
from fundportal.models import LedgerEntry
from fundportal.services import fund_account_main
from tests.donations.helpers import record
from tests.fixtures.factories import DonorFactory, make_resident_id, make_uscc

pytestmark = pytest.mark.django_db


def test_recording_a_donation_posts_income_and_issues_a_receipt(finance):
    donor = DonorFactory(name="瑞安市人民医院")
    donation = record(finance, amount="311000.00", donor=donor, giver_count=3126)
    entry = LedgerEntry.objects.get()
    assert entry.kind == LedgerEntry.Kind.INCOME and entry.amount == Decimal("311000.00")
    assert entry.source == donation
    receipt = donation.receipts.get()
    assert receipt.status == Receipt.Status.VALID and receipt.donor_name == "瑞安市人民医院"
    assert receipt.amount == Decimal("311000.00") and receipt.is_organisation
    assert fund_account_main().balance == Decimal("311000.00")


def test_anonymous_cash_gift_gets_a_receipt_without_a_donor(finance):
    donation = record(finance, amount="200.00", channel=Donation.Channel.CASH, bank_reference="")
    assert donation.donor is None and donation.is_anonymous
    assert donation.receipts.get().donor_name == "匿名捐赠人"


@pytest.mark.parametrize("field, value, message", [
    ("amount", Decimal("0"), "大于零"),
    ("amount", Decimal("-5"), "大于零"),
    ("giver_count", 0, "至少为 1"),
    ("bank_reference", "", "流水号"),
])
def test_bad_donations_are_refused_and_nothing_is_written(finance, field, value, message):
    with pytest.raises(ValidationError, match=message):
        record(finance, donor=DonorFactory(), **{field: value})
    assert not Donation.objects.exists() and not LedgerEntry.objects.exists() and not Receipt.objects.exists()


def test_money_that_has_not_arrived_gets_no_receipt(finance):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    with pytest.raises(ValidationError, match="款项到账后"):
        record(finance, donor=DonorFactory(), received_on=tomorrow)
    assert not Receipt.objects.exists()


def test_the_same_bank_transfer_cannot_be_recorded_twice(finance):
    donor = DonorFactory()
    record(finance, donor=donor, bank_reference="RA2023070100001")
    with pytest.raises(ValidationError, match="已登记过"):
        record(finance, donor=donor, bank_reference="RA2023070100001")
    assert Donation.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_clerks_entering_the_same_transfer_at_once_get_a_clear_refusal(finance):
    from tests.concurrency import run_concurrently

    donor = DonorFactory()
    results = run_concurrently(lambda _i: record(finance, donor=donor, bank_reference="RA-SAME-001"), 2)
    assert sorted(type(r).__name__ for r in results) == ["Donation", "ValidationError"], results
    refusal = next(r for r in results if isinstance(r, ValidationError))
    assert "流水号" in str(refusal)
    assert Donation.objects.count() == 1 and LedgerEntry.objects.count() == 1


def test_a_failing_receipt_rolls_back_the_donation_and_the_income(finance, monkeypatch):
    def broken_issue(**kwargs):
        raise RuntimeError("printer on fire")

    monkeypatch.setattr(services, "receipt_issue", broken_issue)
    with pytest.raises(RuntimeError):
        record(finance, donor=DonorFactory())
    assert not Donation.objects.exists() and not LedgerEntry.objects.exists()
    assert fund_account_main().balance == Decimal("0.00")


def test_cancelling_a_donation_voids_its_receipt_and_reverses_the_income(finance):
    donation = record(finance, amount="5000.00", donor=DonorFactory())
    services.donation_cancel(donation=donation, reason="金额录错，应为 500 元", acting_user=finance)
    donation.refresh_from_db()
    assert donation.status == Donation.Status.CANCELLED
    assert donation.receipts.get().status == Receipt.Status.VOIDED
    assert fund_account_main().balance == Decimal("0.00")
    assert LedgerEntry.objects.filter(kind=LedgerEntry.Kind.REVERSAL).count() == 1
    with pytest.raises(ValidationError, match="已经撤销"):
        services.donation_cancel(donation=donation, reason="再次撤销", acting_user=finance)


class TestDonors:
    def test_organisation_with_a_valid_code(self, finance):
        donor = services.donor_create(kind=Donor.Kind.ORGANISATION, name=" 瑞安市 医药行业协会 ",
                                      org_kind=Donor.OrgKind.ASSOCIATION, uscc=make_uscc(7).lower(),
                                      acting_user=finance)
        assert donor.name == "瑞安市 医药行业协会" and donor.uscc == make_uscc(7)

    def test_organisation_with_a_wrong_check_character_is_refused(self, finance):
        code = make_uscc(7)
        wrong = code[:17] + ("0" if code[17] != "0" else "1")
        with pytest.raises(ValidationError, match="校验位"):
            services.donor_create(kind=Donor.Kind.ORGANISATION, name="某医院", org_kind=Donor.OrgKind.HOSPITAL,
                                  uscc=wrong, acting_user=finance)

    def test_duplicate_code_is_refused_naming_the_existing_donor(self, finance):
        first = DonorFactory(name="瑞安市人民医院")
        with pytest.raises(ValidationError) as error:
            services.donor_create(kind=Donor.Kind.ORGANISATION, name="瑞安人民医院", org_kind=Donor.OrgKind.HOSPITAL,
                                  uscc=first.uscc, acting_user=finance)
        assert f"瑞安市人民医院”（编号 {first.pk}）" in str(error.value)
        assert Donor.objects.count() == 1

    def test_duplicate_resident_id_is_refused(self, finance):
        number = make_resident_id(5)
        services.donor_create(kind=Donor.Kind.INDIVIDUAL, name="陈建国", resident_id=number, acting_user=finance)
        with pytest.raises(ValidationError, match="陈建国"):
            services.donor_create(kind=Donor.Kind.INDIVIDUAL, name="陈建国", resident_id=number.lower(),
                                  acting_user=finance)

    def test_individual_without_an_id_number_is_fine(self, finance):
        donor = services.donor_create(kind=Donor.Kind.INDIVIDUAL, name="林志强", acting_user=finance)
        assert donor.resident_id == "" and donor.uscc == ""

    def test_identity_codes_cannot_be_changed_after_registration(self, finance):
        donor = DonorFactory()
        with pytest.raises(ValidationError, match="不可更改"):
            services.donor_update(donor=donor, uscc=make_uscc(99), acting_user=finance)


class TestPledges:
    def test_bank_pledge_of_five_yearly_instalments(self, finance):
        bank = DonorFactory(name="浙江瑞安农村商业银行股份有限公司", org_kind=Donor.OrgKind.BANK)
        schedule = services.pledge_schedule_even(total=Decimal("3000000"), count=5, first_due=dt.date(2023, 7, 1))
        pledge = services.pledge_create(donor=bank, total=Decimal("3000000"), signed_on=dt.date(2023, 6, 20),
                                        instalments=schedule, acting_user=finance)
        assert [i.amount for i in pledge.instalments.all()] == [Decimal("600000.00")] * 5
        assert [i.due_on.year for i in pledge.instalments.all()] == [2023, 2024, 2025, 2026, 2027]
        # A pledge is not income.
        assert fund_account_main().balance == Decimal("0.00")

        first = pledge.instalments.get(sequence=1)
        record(finance, amount="600000.00", donor=bank, instalment=first, received_on=dt.date(2023, 7, 3))
        progress = pledge_progress(pledge=pledge, today=dt.date(2024, 1, 1))
        assert progress.received == Decimal("600000.00") and progress.arrears == Decimal("0.00")
        assert progress.outstanding == Decimal("2400000.00")
        later = pledge_progress(pledge=pledge, today=dt.date(2025, 8, 1))
        assert later.arrears == Decimal("1200000.00")  # 2024 and 2025 instalments overdue

    def test_uneven_split_keeps_the_total_exact(self):
        schedule = services.pledge_schedule_even(total=Decimal("100.00"), count=3, first_due=dt.date(2023, 1, 31),
                                                 months_between=1)
        assert sum(amount for _due, amount in schedule) == Decimal("100.00")
        assert [due for due, _ in schedule][1] == dt.date(2023, 2, 28)

    def test_instalments_must_add_up_to_the_total(self, finance):
        with pytest.raises(ValidationError, match="不一致"):
            services.pledge_create(donor=DonorFactory(), total=Decimal("1000"), signed_on=dt.date(2023, 1, 1),
                                   instalments=[(dt.date(2023, 2, 1), Decimal("600"))], acting_user=finance)

    def test_instalment_of_another_donor_is_refused(self, finance):
        pledge = services.pledge_create(donor=DonorFactory(), total=Decimal("1000"), signed_on=dt.date(2023, 1, 1),
                                        instalments=[(dt.date(2023, 2, 1), Decimal("1000"))], acting_user=finance)
        with pytest.raises(ValidationError, match="不属于"):
            record(finance, donor=DonorFactory(), instalment=pledge.instalments.get())

    def test_an_instalment_is_never_overpaid(self, finance):
        donor = DonorFactory()
        pledge = services.pledge_create(donor=donor, total=Decimal("1000"), signed_on=dt.date(2023, 1, 1),
                                        instalments=[(dt.date(2023, 2, 1), Decimal("1000"))], acting_user=finance)
        instalment = pledge.instalments.get()
        record(finance, donor=donor, amount="600.00", instalment=instalment)
        with pytest.raises(ValidationError, match="超出"):
            record(finance, donor=donor, amount="400.01", instalment=instalment)
        record(finance, donor=donor, amount="400.00", instalment=instalment)
        assert pledge_progress(pledge=pledge).outstanding == Decimal("0.00")

    def test_instalments_must_be_in_date_order_after_signing(self, finance):
        with pytest.raises(ValidationError, match="先后"):
            services.pledge_create(donor=DonorFactory(), total=Decimal("1000"), signed_on=dt.date(2023, 6, 1),
                                   instalments=[(dt.date(2023, 5, 1), Decimal("1000"))], acting_user=finance)
