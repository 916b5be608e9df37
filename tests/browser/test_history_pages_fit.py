"""The audit trail and a record's history fit a 1280px screen, however long the values in them:
long reasons and notes wrap inside their cells. Screenshots land in /tmp/shots/."""
import pytest

from donations import services
from tests.fixtures.personas import PASSWORD
from tests.donations.helpers import record
from tests.fixtures.factories import DonorFactory

from .conftest import CHROMIUM

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing: install Debian's chromium package"),
]

LONG_NOTE = "捐赠方来电说明本次捐赠用于塘下镇困难家庭的大病救助" * 8  # 192 characters, no space to break at
LONG_REASON = "X" * 90


def test_history_pages_fit_a_1280px_screen(live_server, finance, auditor, new_context, browser_log, shot):
    donation = record(finance, donor=DonorFactory(name="瑞安市人民医院"))
    services.donor_update(donor=donation.donor, note=LONG_NOTE, acting_user=finance)
    services.receipt_void_and_reissue(receipt=donation.receipts.get(), reason=LONG_REASON, acting_user=finance)

    page = new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{live_server.url}/admin/")
    page.get_by_label("用户名").fill(auditor.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/admin/queue/")  # where an auditor lands: their work queue

    for path, name in [("/admin/audit/", "audit-trail-1280"),
                       (f"/admin/donations/donor/{donation.donor.pk}/history/", "donor-history-1280")]:
        page.goto(live_server.url + path)
        assert page.locator("table.history-table tbody tr").count() >= 2
        assert page.get_by_text("None", exact=True).count() == 0
        shot(page, name)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 1280, f"{path} is {width}px wide"
    assert not browser_log.page_errors and not browser_log.csp_violations
