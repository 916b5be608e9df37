"""Who may see and do what on the income side. Each refusal is tried, not assumed."""
import csv
import io
import uuid

import pytest
from django.urls import reverse

from donations.models import Donation
from fundportal.models import ExportLog, LedgerEntry
from tests.donations.helpers import record
from tests.fixtures.factories import DonorFactory

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:donations_donation_add")
LIST_URL = reverse("admin:donations_donation_changelist")
API_URL = reverse("api-donations")


@pytest.fixture
def donation(finance):
    return record(finance, amount="22000.00", donor=DonorFactory(name="瑞安市安阳街道社区卫生服务中心"))


@pytest.mark.parametrize("persona", ["clerk", "msb"])
def test_other_roles_cannot_see_or_change_donations(request, client, donation, persona):
    client.force_login(request.getfixturevalue(persona))
    change_url = reverse("admin:donations_donation_change", args=[donation.pk])
    receipt_url = reverse("admin:donations_receipt_change", args=[donation.receipts.get().pk])
    receipt_pk = donation.receipts.get().pk
    # A record's page is a 404 to a role that may not view the model, as if it did not exist (a
    # 403 there, and a 404 for a missing id, would tell which ids exist).
    for url in (change_url, receipt_url):
        assert client.get(url).status_code == 404, url
    for url in (LIST_URL, ADD_URL, reverse("admin:donations_donor_changelist"),
                reverse("admin:donations_donation_export"), reverse("admin:donations_donation_import"),
                reverse("admin:donations_donation_cancel", args=[donation.pk]),
                reverse("admin:donations_receipt_print", args=[receipt_pk]),
                reverse("admin:donations_receipt_certificate", args=[receipt_pk]),
                reverse("admin:donations_receipt_void", args=[receipt_pk]),
                reverse("admin:donations_receipt_fiscal_bill", args=[receipt_pk]),
                reverse("admin:donations_pledge_changelist"),
                reverse("admin:autocomplete") + "?app_label=donations&model_name=donation&field_name=donor&term=瑞安"):
        assert client.get(url).status_code == 403, url
    assert client.post(reverse("admin:donations_receipt_void", args=[receipt_pk]),
                       {"reason": "试图作废"}).status_code == 403
    assert client.get(API_URL).status_code == 403
    assert client.post(API_URL, {"amount": "1", "received_on": "2023-07-01", "channel": "cash",
                                 "is_anonymous": True}).status_code == 403
    assert Donation.objects.count() == 1


def test_the_public_cannot_reach_staff_pages_or_the_api(client, donation):
    response = client.get(LIST_URL)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert client.get(API_URL).status_code == 403
    assert client.get(reverse("audit_trail")).status_code in (302, 403)


def test_auditor_reads_but_cannot_change(client, auditor, donation):
    client.force_login(auditor)
    assert client.get(LIST_URL).status_code == 200
    assert client.get(reverse("admin:donations_donation_change", args=[donation.pk])).status_code == 200
    assert client.get(ADD_URL).status_code == 403
    assert client.get(reverse("admin:donations_donation_cancel", args=[donation.pk])).status_code in (403, 404)
    receipt = donation.receipts.get()
    assert client.post(reverse("admin:donations_receipt_void", args=[receipt.pk]),
                       {"reason": "审计试图作废"}).status_code == 403
    assert client.get(reverse("admin:donations_donation_import")).status_code == 403
    assert client.get(API_URL).status_code == 200
    assert client.post(API_URL, {"amount": "1", "received_on": "2023-07-01", "channel": "cash",
                                 "is_anonymous": True}).status_code == 403
    receipt.refresh_from_db()
    assert receipt.status == "valid" and Donation.objects.count() == 1


def test_finance_records_a_donation_through_the_admin_once_even_if_submitted_twice(client, finance):
    donor = DonorFactory(name="瑞安市人民医院")
    client.force_login(finance)
    form = {
        "donor": donor.pk, "amount": "311000", "received_on": "2023-07-05", "channel": "bank_transfer",
        "bank_reference": "RA20230705001", "giver_count": "3126", "note": "全院职工",
        "submission_key": str(uuid.uuid4()),
    }
    first = client.post(ADD_URL, form)
    assert first.status_code == 302, first.context["adminform"].form.errors if first.context else ""
    donation = Donation.objects.get()
    assert donation.recorded_by == finance and donation.receipts.count() == 1
    assert first["Location"] == reverse("admin:donations_donation_change", args=[donation.pk])

    second = client.post(ADD_URL, form)  # the double click
    assert second.status_code == 302 and second["Location"] == first["Location"]
    assert Donation.objects.count() == 1 and LedgerEntry.objects.count() == 1


def test_api_retry_with_the_same_idempotency_key_records_once(client, finance):
    client.force_login(finance)
    body = {"amount": "500.00", "received_on": "2023-07-01", "channel": "cash", "is_anonymous": True}
    key = str(uuid.uuid4())
    first = client.post(API_URL, body, HTTP_IDEMPOTENCY_KEY=key)
    second = client.post(API_URL, body, HTTP_IDEMPOTENCY_KEY=key)
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"] and Donation.objects.count() == 1
    assert client.post(API_URL, body, HTTP_IDEMPOTENCY_KEY="not-a-uuid").status_code == 400


def test_admin_form_shows_the_service_refusal_and_writes_nothing(client, finance):
    client.force_login(finance)
    response = client.post(ADD_URL, {"amount": "500", "received_on": "2099-01-01", "channel": "bank_transfer",
                                     "giver_count": "1", "submission_key": str(uuid.uuid4())})
    assert response.status_code == 200
    body = response.content.decode()
    assert "款项到账后" in body and "银行流水号" in body and "请选择捐赠方" in body
    assert not Donation.objects.exists()


def test_staff_pages_with_personal_data_are_not_cached(client, finance, donation):
    client.force_login(finance)
    for url in (LIST_URL, reverse("admin:donations_donor_changelist"),
                reverse("admin:donations_donation_change", args=[donation.pk])):
        assert "no-store" in client.get(url)["Cache-Control"], url


def test_export_neutralises_formulae(client, finance):
    client.force_login(finance)
    record(finance, donor=DonorFactory(name="=HYPERLINK(\"http://evil\")"), note="+cmd|' /C calc'!A0")
    response = client.post(reverse("admin:donations_donation_export"), {"format": "0", "resource": "0",
                                                                        **_all_export_fields()})
    assert response.status_code == 200, response.content[:500]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    cells = [cell for row in rows[1:] for cell in row]
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells), cells
    assert "'=HYPERLINK(\"http://evil\")" in cells
    log = ExportLog.objects.get()
    assert log.user == finance and log.what == "捐赠明细" and log.row_count == 1


def _all_export_fields():
    from donations.resources import DonationExportResource

    return {f"donationexportresource_{name}": "on" for name in DonationExportResource.Meta.fields}


def test_an_auditor_reading_a_receipt_gets_a_copy_and_leaves_no_print(client, auditor, donation):
    client.force_login(auditor)
    receipt = donation.receipts.get()
    response = client.get(reverse("admin:donations_receipt_print", args=[receipt.pk]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert not receipt.prints.exists()
