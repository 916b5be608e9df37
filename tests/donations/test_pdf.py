"""Receipt and certificate PDFs: the Chinese text survives (a missing CJK font drops it silently),
the marks that stop misuse are there, and the QR code leads to the verification page."""
import datetime as dt
import io
import re
from decimal import Decimal

import pytest
import zxingcpp
from pypdf import PdfReader

from donations.models import Donation, Receipt
from donations.pdf import certificate_pdf, receipt_pdf, receipt_verification_url
from donations.services import donation_record, fiscal_bill_record, receipt_void_and_reissue
from tests.fixtures.factories import CampaignFactory, DonorFactory, IndividualDonorFactory

pytestmark = pytest.mark.django_db

RECEIVED_ON = dt.date(2024, 6, 3)


def _text(data: bytes) -> str:
    # Extraction breaks lines and may space out letter-spaced titles: compare without whitespace.
    reader = PdfReader(io.BytesIO(data))
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))


def _record(finance, *, donor=None, amount="1000000", **extra) -> Receipt:
    donation = donation_record(
        amount=Decimal(amount), received_on=RECEIVED_ON, channel=Donation.Channel.BANK_TRANSFER,
        bank_reference=f"REF-{Donation.objects.count() + 1}-{amount}", donor=donor or DonorFactory(),
        acting_user=finance, **extra,
    )
    return donation.receipts.get()


def test_receipt_text_is_chinese_and_complete(finance):
    receipt = _record(finance)

    data = receipt_pdf(receipt, copy=False)

    assert data.startswith(b"%PDF")
    assert len(PdfReader(io.BytesIO(data)).pages) == 1
    text = _text(data)
    for expected in ("捐赠收据", receipt.number, receipt.donor_name, "壹佰万元整", "¥1,000,000.00",
                     receipt.verification_code, "银行转账", "2024年06月03日",
                     "瑞安市慈善总会（慈善医疗救助共富基金）", "不是财政部门监制的公益事业捐赠票据"):
        assert expected in text, expected


def test_receipt_never_prints_the_donor_id_number(finance):
    donor = IndividualDonorFactory(resident_id="330381196805170012")
    receipt = _record(finance, donor=donor, amount="200")

    text = _text(receipt_pdf(receipt, copy=False))

    assert donor.name in text
    assert donor.resident_id not in text


def test_receipt_shows_campaign_group_size_and_fiscal_bill(finance):
    campaign = CampaignFactory(name="慈善一日捐")
    receipt = _record(finance, amount="36000", campaign=campaign, giver_count=3000)
    fiscal_bill_record(receipt=receipt, bill_number="33000124000012345", check_code="a1b2c3", acting_user=finance)
    receipt = Receipt.objects.get(pk=receipt.pk)

    text = _text(receipt_pdf(receipt, copy=False))

    assert "慈善一日捐" in text
    assert "集体捐赠，共3000人" in text
    assert "对应公益事业捐赠票据号码：33000124000012345" in text


def test_single_giver_receipt_has_no_group_line(finance):
    text = _text(receipt_pdf(_record(finance), copy=False))

    assert "集体捐赠" not in text
    assert "对应公益事业捐赠票据号码" not in text


def test_only_copies_are_marked_copy(finance):
    receipt = _record(finance)

    assert "副本" in _text(receipt_pdf(receipt, copy=True))
    assert "副本" not in _text(receipt_pdf(receipt, copy=False))


def test_voided_receipt_is_marked_and_replacement_names_it(finance):
    original = _record(finance)

    replacement = receipt_void_and_reissue(receipt=original, reason="捐赠方名称有误", acting_user=finance)
    original.refresh_from_db()

    assert "已作废" in _text(receipt_pdf(original, copy=False))
    replacement_text = _text(receipt_pdf(replacement, copy=False))
    assert f"本收据替代已作废收据{original.number}" in replacement_text
    assert "已作废，不能作为捐赠凭证" not in replacement_text


def test_verification_url_carries_number_and_code(finance, settings):
    settings.SITE_URL = "https://fund.example.cn"
    receipt = _record(finance)

    url = receipt_verification_url(receipt)

    assert url == f"https://fund.example.cn/receipts/verify/?n={receipt.number}&c={receipt.verification_code}"


@pytest.mark.parametrize("render", [lambda r: receipt_pdf(r, copy=False), certificate_pdf],
                         ids=["receipt", "certificate"])
def test_qr_code_decodes_to_the_verification_url(finance, render):
    receipt = _record(finance)

    page = PdfReader(io.BytesIO(render(receipt))).pages[0]

    decoded = [barcode.text for image in page.images for barcode in zxingcpp.read_barcodes(image.image)]
    assert decoded == [receipt_verification_url(receipt)]


def test_certificate_thanks_the_organisation(finance):
    receipt = _record(finance)

    data = certificate_pdf(receipt)

    assert len(PdfReader(io.BytesIO(data)).pages) == 1
    text = _text(data)
    for expected in ("捐赠证书", f"{receipt.donor_name}：", "壹佰万元整", "¥1,000,000.00",
                     f"证书编号：ZS-{receipt.number}", "特发此证，以资感谢！"):
        assert expected in text, expected
    assert "已作废" not in text


def test_voided_certificate_is_marked(finance):
    original = _record(finance)
    receipt_void_and_reissue(receipt=original, reason="捐赠方名称有误", acting_user=finance)
    original.refresh_from_db()

    assert "已作废" in _text(certificate_pdf(original))


def test_individual_donor_gets_no_certificate(finance):
    receipt = _record(finance, donor=IndividualDonorFactory(), amount="500")

    with pytest.raises(ValueError, match="只有单位捐赠方可获得捐赠证书"):
        certificate_pdf(receipt)
