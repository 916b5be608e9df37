"""From the finance desk to the donor's phone: record a donation, then verify its receipt publicly.

Screenshots of each step land in /tmp/shots/ for a human to look at.
"""
import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from donations.models import Donation, Receipt
from tests.fixtures.personas import PASSWORD
from tests.fixtures.factories import DonorFactory

from .conftest import CHROMIUM

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing: install Debian's chromium package"),
]

DONOR_NAME = "瑞安市人民医院"
BANK_REFERENCE = "ZJRCB20231108000731"
PHONE = {"width": 390, "height": 844}


def _wrong_code(code: str) -> str:
    # Same length and alphabet as a real code, different in its last character.
    return code[:-1] + ("2" if code[-1] != "2" else "3")


def test_finance_records_donation_and_donor_verifies_receipt_on_phone(
        live_server, finance, new_context, browser_log, shot):
    DonorFactory(name=DONOR_NAME)
    yesterday = timezone.localdate() - dt.timedelta(days=1)

    # --- 1. The Charity Federation's finance officer records the transfer -------------------------
    desk = new_context(viewport={"width": 1280, "height": 900}).new_page()
    desk.goto(f"{live_server.url}/admin/")
    desk.get_by_label("用户名").fill(finance.username)
    desk.get_by_label("密码").fill(PASSWORD)
    shot(desk, "01-admin-login")
    desk.get_by_role("button", name="登录").click()

    desk.locator("tr.model-donation").get_by_role("link", name="增加").click()
    desk.wait_for_url(re.compile(r"/admin/donations/donation/add/$"))

    # The donor: select2 autocomplete, fed by /admin/autocomplete/.
    desk.locator(".field-donor .select2-selection").click()
    desk.locator(".select2-search__field").fill("人民医院")
    option = desk.locator(".select2-results__option", has_text=DONOR_NAME)
    option.wait_for()
    option.click()
    desk.locator(".field-donor .select2-selection__rendered", has_text=DONOR_NAME).wait_for()

    desk.locator("#id_amount").fill("311000")
    desk.locator("#id_received_on").fill(yesterday.isoformat())
    desk.locator("#id_channel").select_option(label="银行转账")
    desk.locator("#id_bank_reference").fill(BANK_REFERENCE)
    desk.locator("#id_giver_count").fill("3126")
    shot(desk, "02-donation-add-filled")
    desk.locator("input[name=_save]").click()

    # Saving lands on the recorded donation, which names its receipt and links to it.
    desk.wait_for_url(re.compile(r"/admin/donations/donation/\d+/change/$"))
    success = desk.locator("ul.messagelist li.success")
    assert "已登记捐赠并开具收据" in success.inner_text()
    shot(desk, "03-donation-saved")

    desk.locator(".field-number_link a").first.click()
    desk.wait_for_url(re.compile(r"/admin/donations/receipt/\d+/change/$"))
    number = desk.locator(".field-number .readonly").inner_text().strip()
    code = desk.locator(".field-verification_code .readonly").inner_text().strip()
    shot(desk, "04-receipt-admin")
    assert re.fullmatch(r"\d{4}-\d{6}", number), number
    assert re.fullmatch(r"[2-9A-Z]{8}", code), code

    donation = Donation.objects.get(bank_reference=BANK_REFERENCE)
    assert (donation.donor.name, donation.amount, donation.received_on, donation.giver_count) == (
        DONOR_NAME, Decimal("311000.00"), yesterday, 3126)
    assert Receipt.objects.get(number=number).verification_code == code

    # --- 2. The hospital checks its receipt on a phone (fresh context: no admin session) ----------
    phone = new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True).new_page()
    phone.goto(f"{live_server.url}/receipts/verify/")
    phone.get_by_label("收据编号").fill(number)
    phone.get_by_label("验证码").fill(_wrong_code(code))
    phone.get_by_role("button", name="核验").click()
    phone.get_by_text("未找到与该编号和验证码匹配的收据").wait_for()
    shot(phone, "05-verify-wrong-code")

    phone.get_by_label("验证码").fill(code)
    phone.get_by_role("button", name="核验").click()
    phone.get_by_text("收据有效").wait_for()
    facts = phone.locator("dl.facts").inner_text()
    assert number in facts and DONOR_NAME in facts and "311,000.00" in facts, facts
    shot(phone, "06-verify-valid")

    with phone.expect_download() as download_info:
        phone.get_by_role("link", name="下载收据 PDF").click()
    download = download_info.value
    assert download.suggested_filename == f"receipt-{number}.pdf"
    assert Path(download.path()).read_bytes()[:4] == b"%PDF"

    # --- 3. The pages kept to the Content Security Policy -----------------------------------------
    print("Browser console:", *browser_log.console, sep="\n  ")  # shown by pytest when the test fails
    assert not browser_log.csp_violations, "CSP violations:\n" + "\n".join(browser_log.csp_violations)
    assert not browser_log.page_errors, "Uncaught script errors:\n" + "\n".join(browser_log.page_errors)

