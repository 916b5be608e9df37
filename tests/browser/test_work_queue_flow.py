"""A village officer starts the day from the work queue, in Chromium: logs in, lands on the queue,
sees the late verification in red, follows it to exactly that case, verifies the household, and
finds the queue one case shorter and nothing late any more."""
import re

import pytest

from assistance.models import ReviewCase
from tests.fixtures.factories import ReviewCaseFactory
from tests.fixtures.personas import PASSWORD
from tests.workqueue.helpers import days_ago

from .conftest import CHROMIUM

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing: install Debian's chromium package"),
]


@pytest.fixture
def morning(db, regions, cab_village):
    late = ReviewCaseFactory(person__region=regions["hantian"], person__name="陈阿大", state=ReviewCase.State.AT_VILLAGE,
                             due_on=days_ago(2))
    ReviewCaseFactory(person__region=regions["hantian"], state=ReviewCase.State.AT_VILLAGE, due_on=days_ago(-6))
    ReviewCaseFactory(person__region=regions["shadu"], state=ReviewCase.State.AT_VILLAGE, due_on=days_ago(5))
    return late, cab_village


def test_a_village_officer_starts_the_day_from_the_work_queue(live_server, morning, new_context, browser_log, shot):
    case, officer = morning
    page = new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{live_server.url}/admin/login/")
    page.get_by_label("用户名").fill(officer.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/admin/queue/")

    row = page.locator('tr[data-key="review.verify"]')
    assert row.locator("td.count").first.inner_text() == "2"  # 沙渎村's late case is not theirs
    late = row.locator("a.overdue")
    assert late.inner_text() == "1 件已逾期"
    assert late.evaluate("a => getComputedStyle(a).color") == "rgb(186, 33, 33)"  # red
    shot(page, "30-work-queue-village")
    late.click()
    page.wait_for_url(re.compile(r"todo=review\.verify\.overdue"))
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 1 and "陈*" in rows.first.inner_text()
    rows.first.locator("th a").click()
    page.get_by_role("link", name="登记甄别结果").click()
    page.wait_for_url(re.compile(rf"/reviewcase/{case.pk}/verify/$"))

    page.get_by_label("家庭年收入（元）").fill("15600")
    page.get_by_label("住房情况").fill("自建砖混房，年久失修")
    page.get_by_label("核查情况说明").fill("尿毒症长期透析，配偶务农")
    page.locator("#id_household-0-annual_income").fill("3600")
    page.get_by_role("button", name="确认").click()
    page.wait_for_url(re.compile(rf"/reviewcase/{case.pk}/change/$"))
    case.refresh_from_db()
    assert (case.state, case.verified_by) == (ReviewCase.State.VERIFIED, officer)

    page.get_by_role("link", name="我的待办").first.click()
    page.wait_for_url(f"{live_server.url}/admin/queue/")
    row = page.locator('tr[data-key="review.verify"]')
    assert row.locator("td.count").first.inner_text() == "1" and row.locator("a.overdue").count() == 0
    shot(page, "31-work-queue-after")
    assert browser_log.csp_violations == [] and browser_log.page_errors == []
