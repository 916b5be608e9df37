"""A village officer verifies a review case on the civil-affairs desk, in Chromium: the wrong
input first (a Chinese error, nothing saved), then the household as found on the visit."""
import re

import pytest
from django.contrib.auth.models import Group

from assistance.review import services as review
from assistance.models import ReviewCase
from tests.fixtures.personas import PASSWORD
from tests.fixtures.screening import make_run

from .conftest import CHROMIUM

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing: install Debian's chromium package"),
]


@pytest.fixture
def case_at_village(db, msb, regions, cab_city, cab_town, cab_village):
    run = make_run(msb, [(7, regions["hantian"])])
    review.review_cases_open_for_run(run=run, acting_user=msb)
    case = ReviewCase.objects.get()
    case = review.review_case_dispatch(case=case, acting_user=cab_city)
    case = review.review_case_assign(case=case, acting_user=cab_town)
    return case, cab_village


def test_a_village_officer_verifies_a_case(live_server, case_at_village, new_context, browser_log, shot):
    case, village_officer = case_at_village
    assert Group.objects.filter(name__contains="村").exists()
    page = new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{live_server.url}/admin/")
    page.get_by_label("用户名").fill(village_officer.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()

    page.get_by_role("link", name="低收入资格审核").first.click()
    page.get_by_role("link", name="村（社区）甄别").click()  # the state filter
    page.wait_for_url(re.compile(r"state__exact=at_village"))
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 1
    assert "*" in rows.first.inner_text()  # names masked in the list
    shot(page, "20-village-case-list")
    rows.first.locator("th a").click()
    page.get_by_role("link", name="登记甄别结果").click()
    page.wait_for_url(re.compile(rf"/reviewcase/{case.pk}/verify/$"))
    assert page.locator("#id_household-0-name").input_value() == case.person.name  # the person, prefilled

    page.get_by_label("家庭年收入（元）").fill("-100")
    page.get_by_role("button", name="确认").click()
    page.locator(".errorlist").first.wait_for()  # the page came back with the error
    shot(page, "21-verify-wrong-income")
    case.refresh_from_db()
    assert case.state == ReviewCase.State.AT_VILLAGE

    page.get_by_label("家庭年收入（元）").fill("15600")
    page.get_by_label("住房情况").fill("自建砖混房，年久失修")
    page.get_by_label("核查情况说明").fill("尿毒症长期透析，配偶务农")
    page.locator("#id_household-0-annual_income").fill("3600")
    page.locator("#id_household-1-name").fill("陈秀英")
    page.locator("#id_household-1-relation").fill("配偶")
    page.locator("#id_household-1-annual_income").fill("12000")
    page.get_by_role("button", name="确认").click()
    page.wait_for_url(re.compile(rf"/reviewcase/{case.pk}/change/$"))
    assert "已登记甄别结果" in page.locator(".messagelist").inner_text()
    shot(page, "22-verified-case")

    case.refresh_from_db()
    assert (case.state, case.verified_by, case.household.count()) == (ReviewCase.State.VERIFIED, village_officer, 2)
    assert browser_log.csp_violations == [] and browser_log.page_errors == []
