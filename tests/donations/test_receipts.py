"""Receipts: gap-free numbers under concurrency, never edited, void + reissue, public lookup."""
import re

import pytest
from django.db import DatabaseError, transaction
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from donations import services
from donations.models import Donation, Receipt
from tests.concurrency import run_concurrently
from tests.donations.helpers import record
from tests.fixtures.factories import DonorFactory

VERIFY_URL = "/receipts/verify/"


@pytest.mark.django_db
def test_receipt_numbers_are_per_year_and_sequential(finance):
    year = timezone.localdate().year
    numbers = [record(finance, donor=DonorFactory()).receipts.get().number for _ in range(3)]
    assert numbers == [f"{year}-000001", f"{year}-000002", f"{year}-000003"]
    code = Receipt.objects.get(number=numbers[0]).verification_code
    assert re.fullmatch(r"[2-9A-HJKMNP-Z]{8}", code)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_concurrent_issuing_leaves_no_gaps_and_no_duplicates(finance):
    donors = [DonorFactory() for _ in range(20)]

    def give(index):
        return record(finance, donor=donors[index], amount="100.00")

    results = run_concurrently(give, 20)
    assert all(isinstance(r, Donation) for r in results), results
    sequences = sorted(Receipt.objects.values_list("sequence", flat=True))
    assert sequences == list(range(1, 21))


@pytest.mark.django_db(transaction=True)
def test_a_failed_issue_releases_its_number(finance, monkeypatch):
    record(finance, donor=DonorFactory())
    real_create = Receipt.objects.create

    def fail_after_taking_a_number(**kwargs):
        assert kwargs["sequence"] == 2  # the number was taken...
        raise RuntimeError("disk full")  # ...and then the issue failed

    monkeypatch.setattr(Receipt.objects, "create", fail_after_taking_a_number)
    with pytest.raises(RuntimeError):
        record(finance, donor=DonorFactory())
    monkeypatch.setattr(Receipt.objects, "create", real_create)
    record(finance, donor=DonorFactory())
    assert sorted(Receipt.objects.values_list("sequence", flat=True)) == [1, 2]


@pytest.mark.django_db(transaction=True)
def test_concurrent_reissues_leave_no_gaps(finance):
    # Reissuing takes no fund lock, so only the receipt counter's own lock keeps numbers whole.
    receipts = [record(finance, donor=DonorFactory()).receipts.get() for _ in range(10)]

    def reissue(index):
        return services.receipt_void_and_reissue(receipt=receipts[index], reason="更正", acting_user=finance)

    results = run_concurrently(reissue, 10)
    assert all(isinstance(r, Receipt) for r in results), results
    assert sorted(Receipt.objects.values_list("sequence", flat=True)) == list(range(1, 21))


@pytest.mark.django_db(transaction=True)
def test_voiding_and_cancelling_at_once_do_not_deadlock(finance):
    donation = record(finance, donor=DonorFactory())
    receipt = donation.receipts.get()

    def act(index):
        if index == 0:
            return services.receipt_void_and_reissue(receipt=receipt, reason="名称有误", acting_user=finance)
        return services.donation_cancel(donation=donation, reason="重复登记", acting_user=finance)

    for result in run_concurrently(act, 2):
        # One wins; the other is refused with a clear message — never a database deadlock.
        assert isinstance(result, (Receipt, Donation, ValidationError)), result
    donation.refresh_from_db()
    assert donation.status == Donation.Status.CANCELLED
    assert not donation.receipts.filter(status=Receipt.Status.VALID).exists()


@pytest.mark.django_db
class TestNeverEdited:
    def test_saving_changes_is_refused(self, finance):
        receipt = record(finance, donor=DonorFactory()).receipts.get()
        receipt.amount = receipt.amount * 2
        with pytest.raises(PermissionError):
            receipt.save()
        with pytest.raises(PermissionError):
            receipt.delete()

    @pytest.mark.parametrize("change", [
        {"amount": "1.00"}, {"donor_name": "别人"}, {"verification_code": "AAAAAAAA"},
    ])
    def test_the_database_refuses_edits_even_without_the_model(self, finance, change):
        receipt = record(finance, donor=DonorFactory()).receipts.get()
        with pytest.raises(DatabaseError, match="never edited"), transaction.atomic():
            Receipt.objects.filter(pk=receipt.pk).update(**change)
        with pytest.raises(DatabaseError, match="never edited"), transaction.atomic():
            Receipt.objects.filter(pk=receipt.pk).delete()

    def test_a_voided_receipt_can_never_become_valid_again(self, finance):
        receipt = record(finance, donor=DonorFactory()).receipts.get()
        services.receipt_void_and_reissue(receipt=receipt, reason="错误", acting_user=finance)
        with pytest.raises(DatabaseError, match="never edited"), transaction.atomic():
            Receipt.objects.filter(pk=receipt.pk).update(status=Receipt.Status.VALID)

    def test_void_and_reissue_references_the_voided_receipt(self, finance):
        donation = record(finance, donor=DonorFactory(name="瑞安市人民医院"))
        original = donation.receipts.get()
        services.donor_update(donor=donation.donor, name="瑞安市人民医院（医共体）", acting_user=finance)
        replacement = services.receipt_void_and_reissue(receipt=original, reason="捐赠方名称有误",
                                                        acting_user=finance)
        original.refresh_from_db()
        assert original.status == Receipt.Status.VOIDED and original.void_reason == "捐赠方名称有误"
        assert original.voided_by == finance
        assert replacement.replaces == original and replacement.number != original.number
        assert replacement.donor_name == "瑞安市人民医院（医共体）"
        assert replacement.verification_code != original.verification_code

    def test_void_needs_a_reason(self, finance):
        receipt = record(finance, donor=DonorFactory()).receipts.get()
        with pytest.raises(ValidationError, match="原因"):
            services.receipt_void_and_reissue(receipt=receipt, reason="  ", acting_user=finance)

    def test_a_voided_receipt_cannot_be_voided_again(self, finance):
        receipt = record(finance, donor=DonorFactory()).receipts.get()
        services.receipt_void_and_reissue(receipt=receipt, reason="错误", acting_user=finance)
        with pytest.raises(ValidationError, match="已经作废"):
            services.receipt_void_and_reissue(receipt=receipt, reason="错误", acting_user=finance)

    def test_only_the_void_permission_may_void(self, finance, auditor, clerk):
        receipt = record(finance, donor=DonorFactory()).receipts.get()
        for user in (auditor, clerk):
            with pytest.raises(PermissionError):
                services.receipt_void_and_reissue(receipt=receipt, reason="试图作废", acting_user=user)
        receipt.refresh_from_db()
        assert receipt.status == Receipt.Status.VALID

    def test_fiscal_bill_is_recorded_once_beside_the_receipt(self, finance):
        receipt = record(finance, donor=DonorFactory()).receipts.get()
        services.fiscal_bill_record(receipt=receipt, bill_number="33010123000123", check_code="a1b2c3",
                                    acting_user=finance)
        with pytest.raises(ValidationError, match="已登记"):
            services.fiscal_bill_record(receipt=receipt, bill_number="33010123000124", check_code="x",
                                        acting_user=finance)

    def test_reprints_are_copies(self, finance):
        receipt = record(finance, donor=DonorFactory()).receipts.get()
        assert services.receipt_print_record(receipt=receipt, acting_user=finance) is False
        assert services.receipt_print_record(receipt=receipt, acting_user=finance) is True
        assert services.receipt_print_record(receipt=receipt, acting_user=None) is True


@pytest.mark.django_db
class TestPublicLookup:
    @pytest.fixture
    def receipt(self, finance):
        return record(finance, amount="84500.00", donor=DonorFactory(name="瑞安市医药行业协会")).receipts.get()

    def test_number_and_code_show_the_receipt(self, client, receipt):
        response = client.post(VERIFY_URL, {"n": receipt.number, "c": receipt.verification_code.lower()})
        assert response.status_code == 200
        body = response.content.decode()
        assert "收据有效" in body and "瑞安市医药行业协会" in body and "84,500.00" in body
        assert response["Cache-Control"].find("no-store") >= 0 or "no-cache" in response["Cache-Control"]

    def test_qr_link_shows_the_receipt(self, client, receipt):
        response = client.get(VERIFY_URL, {"n": receipt.number, "c": receipt.verification_code})
        assert "收据有效" in response.content.decode()

    def test_a_wrong_code_looks_exactly_like_a_missing_number(self, client, receipt):
        wrong_code = client.post(VERIFY_URL, {"n": receipt.number, "c": "ZZZZZZZZ"})
        missing = client.post(VERIFY_URL, {"n": "2023-999999", "c": "ZZZZZZZZ"})
        assert wrong_code.status_code == missing.status_code == 404

        def strip(response):
            return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode()).replace(
                receipt.number, "N").replace("2023-999999", "N")

        assert strip(wrong_code) == strip(missing)
        assert "瑞安市医药行业协会" not in wrong_code.content.decode()

    def test_a_voided_receipt_says_so_and_names_its_replacement(self, client, receipt, finance):
        new = services.receipt_void_and_reissue(receipt=receipt, reason="名称有误", acting_user=finance)
        body = client.post(VERIFY_URL, {"n": receipt.number, "c": receipt.verification_code}).content.decode()
        assert "该收据已作废" in body and new.number in body and "下载收据" not in body

    @override_settings(RECEIPT_LOOKUP_RATE="5/m")
    def test_repeated_failures_are_rate_limited_even_for_a_right_code(self, client, receipt):
        for attempt in range(5):
            assert client.post(VERIFY_URL, {"n": receipt.number, "c": f"WRONG{attempt:03d}"}).status_code == 404
        blocked = client.post(VERIFY_URL, {"n": receipt.number, "c": receipt.verification_code})
        assert blocked.status_code == 429 and "尝试次数过多" in blocked.content.decode()

    def test_pdf_download_needs_a_verified_session(self, client, receipt):
        url = reverse("donations:receipt_pdf") + f"?n={receipt.number}"
        assert client.get(url).status_code == 404
        client.post(VERIFY_URL, {"n": receipt.number, "c": receipt.verification_code})
        response = client.get(url)
        assert response.status_code == 200 and response.content.startswith(b"%PDF")
        assert receipt.prints.get().printed_by is None

    @override_settings(RECEIPT_DOWNLOAD_RATE="2/m")
    def test_pdf_downloads_are_rate_limited(self, client, receipt):
        client.post(VERIFY_URL, {"n": receipt.number, "c": receipt.verification_code})
        url = reverse("donations:receipt_pdf") + f"?n={receipt.number}"
        assert [client.get(url).status_code for _ in range(3)] == [200, 200, 403]

    @override_settings(RECEIPT_LOOKUP_RATE="3/m")
    def test_page_and_api_share_one_failure_counter(self, client, receipt):
        api = reverse("api-receipt-verify")
        client.post(VERIFY_URL, {"n": receipt.number, "c": "WRONG001"})
        client.post(api, {"number": receipt.number, "code": "WRONG002"})
        client.post(api, {"number": receipt.number, "code": "WRONG003"}, HTTP_X_FORWARDED_FOR="10.9.9.9")
        blocked = client.post(api, {"number": receipt.number, "code": receipt.verification_code},
                              HTTP_X_FORWARDED_FOR="10.1.2.3")
        assert blocked.status_code == 429

    def test_api_lookup_hides_existence_the_same_way(self, client, receipt):
        api = reverse("api-receipt-verify")
        ok = client.post(api, {"number": receipt.number, "code": receipt.verification_code})
        assert ok.status_code == 200 and ok.json()["donor_name"] == "瑞安市医药行业协会"
        wrong = client.post(api, {"number": receipt.number, "code": "ZZZZZZZZ"})
        missing = client.post(api, {"number": "2023-999999", "code": "ZZZZZZZZ"})
        assert wrong.status_code == missing.status_code == 404 and wrong.json() == missing.json()
