"""The public on a phone, in Chromium: the fund at a glance, a month's statement with its tables
and hash, its CSV, the chain check, and a donor verifying a receipt from the same site."""
import datetime as dt
import re

import pytest

from donations.models import Receipt
from .conftest import CHROMIUM

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing: install Debian's chromium package"),
]
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def published(history, finance_a, public_root):
    from disclosure.services import period_for, statement_build, statement_publish, statement_request

    out = []
    for month in (5, 6, 7):
        start, end = period_for("month", dt.date(2023, month, 1))
        statement = statement_request(kind="month", period_start=start, period_end=end, acting_user=finance_a)
        out.append(statement_publish(statement=statement_build(statement_id=statement.pk), acting_user=finance_a))
    return out


def test_the_public_reads_a_statement_and_verifies_a_receipt_on_a_phone(live_server, published, history,
                                                                          new_context, browser_log, shot):
    phone = new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True).new_page()
    phone.goto(f"{live_server.url}/disclosure/")
    tiles = phone.locator(".tiles").inner_text()
    assert "80,500.00" in tiles and "45,500.00" in tiles, tiles  # received; balance at the end of July
    assert phone.locator("svg.chart").count() == 4
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # nothing wider than a phone
    shot(phone, "40-public-overview-phone")

    phone.get_by_role("link", name="查看全部收支公示").click()
    phone.get_by_role("link", name="2023年6月收支公示").click()
    phone.wait_for_url(re.compile(r"/disclosure/statements/2/$"))
    assert published[1].sha256 in phone.locator("dl.facts").inner_text()
    payouts = phone.locator("section.card").nth(1).inner_text()
    assert "35,000.00" in payouts and "*" in payouts  # masked names
    assert history["first"].person.name not in phone.content()
    shot(phone, "41-public-statement-phone")
    with phone.expect_download() as download_info:
        phone.get_by_role("link", name="下载 CSV").nth(1).click()
    assert download_info.value.suggested_filename == "2-payouts.csv"

    phone.get_by_role("link", name="核验公示链").first.click()
    phone.get_by_text("共 3 份公示，哈希链完整").wait_for()
    shot(phone, "42-public-verify-chain")

    receipt = Receipt.objects.filter(donation__donor=history["hospital"]).get()
    phone.get_by_role("link", name="收据核验").first.click()
    phone.get_by_label("收据编号").fill(receipt.number)
    phone.get_by_label("验证码").fill(receipt.verification_code)
    phone.get_by_role("button", name="核验").click()
    phone.get_by_text("收据有效").wait_for()
    shot(phone, "43-public-receipt-valid")
    assert browser_log.csp_violations == [] and browser_log.page_errors == []
