"""Receipt and certificate PDFs: Chinese text with embedded CJK fonts and a QR code to verify them.

Rendering only; the views decide who may download and record each print (services.receipt_print_record).
"""
import datetime as dt

from django.utils import timezone

from fundportal.lookups import public_link
from fundportal.money import amount_in_capitals, format_money
from fundportal.pdf import pdf_render, qr_png_data_uri

from .models import Receipt

ISSUER = "瑞安市慈善总会（慈善医疗救助共富基金）"


def receipt_verification_url(receipt: Receipt) -> str:
    """The public page where anyone holding the paper can check it is genuine."""
    return public_link("donations:receipt_verify", n=receipt.number, c=receipt.verification_code)


def _chinese_date(day: dt.date) -> str:
    return f"{day.year}年{day.month:02d}月{day.day:02d}日"


def _common_context(receipt: Receipt) -> dict:
    url = receipt_verification_url(receipt)
    return {
        "receipt": receipt,
        "issuer": ISSUER,
        "issued_on": _chinese_date(timezone.localtime(receipt.issued_at).date()),
        "received_on": _chinese_date(receipt.received_on),
        "figures": format_money(receipt.amount),
        "capitals": amount_in_capitals(receipt.amount),
        "verify_url": url,
        "verify_base_url": url.split("?", 1)[0],
        "qr": qr_png_data_uri(url),
        "voided": receipt.status == Receipt.Status.VOIDED,
    }


def receipt_pdf(receipt: Receipt, *, copy: bool) -> bytes:
    """The donor's 捐赠收据. Every print after the first says 副本, so a second original never exists."""
    donation = receipt.donation
    try:
        fiscal_bill_number = receipt.fiscal_bill.bill_number
    except Receipt.fiscal_bill.RelatedObjectDoesNotExist:
        fiscal_bill_number = ""
    context = _common_context(receipt) | {
        "copy": copy,
        "channel": donation.get_channel_display(),
        "campaign": donation.campaign.name if donation.campaign_id else "",
        "giver_count": donation.giver_count,
        "fiscal_bill_number": fiscal_bill_number,
        "replaces_number": receipt.replaces.number if receipt.replaces_id else "",
    }
    return pdf_render("donations/pdf/receipt.html", context)


def certificate_pdf(receipt: Receipt) -> bytes:
    """The 捐赠证书 organisations hang on a wall; individuals get the receipt only."""
    if not receipt.is_organisation:
        raise ValueError("只有单位捐赠方可获得捐赠证书")
    return pdf_render("donations/pdf/certificate.html", _common_context(receipt))
