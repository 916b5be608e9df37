"""A village officer follows up a family found eligible that has not applied (应助未助), in
Chromium: from the list of the village's tasks to the task's page, a contact recorded with the
form on that page, a refusal without its reason refused in Chinese, then the refusal recorded and
the task closed."""
import re

import pytest
from playwright.sync_api import expect
from django.utils import timezone

from assistance.models import OutreachContact, OutreachTask, ReviewCase
from assistance.outreach.services import outreach_open_due
from tests.fixtures.personas import PASSWORD
from tests.outreach.helpers import decided_days_ago, make_eligible

from .conftest import CHROMIUM

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing: install Debian's chromium package"),
]


@pytest.fixture
def open_task(shared_run, regions, cab_city, cab_town, cab_village):
    case = ReviewCase.objects.filter(region=regions["hantian"]).order_by("id").first()
    case = make_eligible(case, cab_city=cab_city, cab_town=cab_town, village_officer=cab_village)
    decided_days_ago([case], 30)
    outreach_open_due()
    return OutreachTask.objects.get()


def test_a_village_officer_records_contacts_until_the_family_declines(live_server, open_task, cab_village,
                                                                       new_context, browser_log, shot):
    page = new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{live_server.url}/admin/")
    page.get_by_label("用户名").fill(cab_village.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()

    page.get_by_role("link", name="应助未助跟进").first.click()
    page.wait_for_url(re.compile(r"/outreachtask/$"))  # the list, not the page the login landed on
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(1)
    assert "*" in rows.first.inner_text()  # the name masked in the list
    rows.first.locator("th a").click()
    page.wait_for_url(re.compile(rf"/outreachtask/{open_task.pk}/change/$"))
    form = page.locator("form#contact")
    # below the change form, as wide as it: not squeezed to a sliver beside #content-main's float
    change_form = page.locator("#outreachtask_form").bounding_box()
    assert form.locator("fieldset").bounding_box()["width"] >= 0.9 * change_form["width"]
    form.get_by_label("联系方式").select_option("visit")
    form.get_by_label("已告知，将提出申请").check()
    form.get_by_label("说明").fill("入户讲解救助政策和所需材料")
    form.get_by_role("button", name="登记").click()
    page.get_by_text("已登记联系情况").wait_for()
    assert "入户讲解救助政策和所需材料" in page.locator("#contacts").inner_text()

    form = page.locator("form#contact")
    form.get_by_label("本人放弃申请").check()
    form.get_by_role("button", name="登记").click()
    page.get_by_text("放弃申请须写明原因").first.wait_for()  # the form again, with the reason asked for
    shot(page, "60-outreach-declined-without-reason")
    assert OutreachContact.objects.count() == 1

    page.get_by_label("说明").fill("家属表示子女已承担医疗费用，不愿申请")
    page.get_by_role("button", name="登记").click()
    page.get_by_text("跟进任务已办结（本人放弃申请）").wait_for()
    shot(page, "61-outreach-closed")
    assert page.locator("form#contact").count() == 0
    open_task.refresh_from_db()
    assert (open_task.state, open_task.outcome) == ("closed", "declined")
    assert [c.contacted_on for c in OutreachContact.objects.all()] == [timezone.localdate()] * 2
    assert browser_log.page_errors == [] and browser_log.csp_violations == []
