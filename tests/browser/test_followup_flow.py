"""A village officer follows up an assisted family flagged by the new year's screening (防止返贫
监测), in Chromium: from the work queue's item to the filtered list, to the family's page (its
assisted year and the two years' costs), an outcome without notes refused in Chinese with the
choice kept, then the outcome recorded and the follow-up closed."""
import re

import pytest
from playwright.sync_api import expect

from assistance.models import FollowUp
from tests.fixtures.personas import PASSWORD
from tests.followup.helpers import flag_families

from .conftest import CHROMIUM

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing: install Debian's chromium package"),
]


@pytest.fixture
def open_follow_up(regions, msb, clerk, settings) -> FollowUp:
    flag_families(regions, msb=msb, clerk=clerk, settings=settings,
                  families=[("赵一明", "hantian", "26000.00", "61000.00")])
    return FollowUp.objects.get()


def test_a_village_officer_records_a_follow_up_outcome(live_server, open_follow_up, cab_village, new_context,
                                                      browser_log, shot):
    page = new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{live_server.url}/admin/")
    page.get_by_label("用户名").fill(cab_village.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()

    page.wait_for_url(re.compile(r"/admin/queue/$"))  # the officer lands on their work queue
    page.get_by_role("link", name="防止返贫监测：待跟进").first.click()
    page.wait_for_url(re.compile(r"/followup/\?todo=followup\.record$"))  # the list, not the queue
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(1)
    assert "赵*明" in rows.first.inner_text() and "赵一明" not in rows.first.inner_text()  # masked in the list
    rows.first.locator("th a").click()
    page.wait_for_url(re.compile(rf"/followup/{open_follow_up.pk}/change/"))  # the list's filters kept
    expect(page.locator("#two-years tbody tr")).to_have_count(2)
    assert "61,000.00" in page.locator("#two-years").inner_text()
    form = page.locator("form#record")
    change_form = page.locator("#followup_form").bounding_box()
    assert form.locator("fieldset").bounding_box()["width"] >= 0.9 * change_form["width"]  # not squeezed

    form.get_by_label("经核实无返贫风险").check()
    form.get_by_role("button", name="登记").click()
    page.get_by_text("请填写跟进情况").first.wait_for()  # the form again, the notes asked for
    expect(page.get_by_label("经核实无返贫风险")).to_be_checked()  # the choice kept
    shot(page, "62-followup-without-notes")
    assert FollowUp.objects.get().state == "open"

    page.get_by_label("跟进情况").fill("电话核实：子女已承担医疗费用，家庭收入稳定")
    page.get_by_role("button", name="登记").click()
    page.get_by_text("已登记跟进结果：经核实无返贫风险").wait_for()
    shot(page, "63-followup-closed")
    expect(page.locator("form#record")).to_have_count(0)
    open_follow_up.refresh_from_db()
    assert (open_follow_up.state, open_follow_up.outcome) == ("closed", "no_risk")
    assert browser_log.page_errors == [] and browser_log.csp_violations == []
