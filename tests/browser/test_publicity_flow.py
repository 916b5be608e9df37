"""A member of the public on a phone, in Chromium: opens a village's 公示 page (as the notice's QR
code would), objects to a line, keeps the number and code, and — once an officer has decided the
objection — looks up the outcome and reads its reason."""
import re

import pytest

from assistance.council.services import resolution_draft_payouts, resolution_sign
from assistance.models import Objection
from assistance.publicity.services import objection_decide
from tests.fixtures.council import fund, meeting_with_quorum, ready_application
from tests.publicity_public.helpers import PEOPLE, person

from .conftest import CHROMIUM

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing: install Debian's chromium package"),
]
PHONE = {"width": 390, "height": 844}
REASON = "该户家中有两辆经营性货车，经济条件较好，不应救助"


@pytest.fixture
def posted(secretary, clerk, regions, scheme, finance_a):
    fund("500000", finance_a)
    for seed, (name, village, out_of_pocket, _phone, account) in enumerate(PEOPLE, start=1):
        ready_application(clerk, regions[village], out_of_pocket=out_of_pocket,
                          person=person(name, regions[village], seed), account=account)
    draft = resolution_draft_payouts(meeting=meeting_with_quorum(secretary), scheme=scheme, acting_user=secretary)
    return resolution_sign(resolution=draft, acting_user=secretary).publicity


def test_the_public_objects_to_a_line_and_reads_the_outcome(live_server, posted, regions, cab_city, new_context,
                                                            browser_log, shot):
    phone = new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True).new_page()
    phone.goto(f"{live_server.url}/publicity/{posted.pk}/{regions['hantian'].code}/")
    table = phone.locator("table.entries").inner_text()
    assert "王*国" in table and "陈*玲" in table and "欧阳*峰" not in table
    assert "王建国" not in phone.content()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # nothing wider than a phone
    assert phone.evaluate("document.querySelector('table.entries').scrollWidth"
                          " <= document.querySelector('table.entries').parentElement.clientWidth")  # no side scroll
    shot(phone, "60-publicity-village-phone")

    phone.get_by_role("link", name="对第 2 行提出异议").click()
    phone.wait_for_url(re.compile(r"/lines/2/objection/$"))
    phone.get_by_label("异议内容").fill("太短")
    phone.get_by_role("button", name="提交异议").click()
    phone.get_by_text("异议内容至少 5 个字，当前 2 个字").wait_for()
    assert phone.get_by_label("异议内容").input_value() == "太短"  # what was typed is still there
    phone.get_by_label("异议内容").fill(REASON)
    phone.get_by_label("联系方式（可不填）").fill("13600009999")
    phone.get_by_role("button", name="提交异议").click()
    phone.wait_for_url(re.compile(r"/publicity/objection/filed/$"))
    number = phone.locator("dd.number").inner_text().strip()
    code = phone.locator("dd.code").inner_text().strip()
    objection = Objection.objects.get()
    assert (number, code, objection.content) == (objection.number, objection.lookup_code, REASON)
    shot(phone, "61-publicity-objection-filed")

    objection_decide(objection=objection, acting_user=cab_city, upheld=False,
                     reason="经核查，两辆货车登记在其弟名下，其弟已分户，该户符合救助条件")

    phone.get_by_role("link", name="查询办理结果").click()
    phone.get_by_label("异议编号").fill(number)
    phone.get_by_label("查询码").fill(code.lower())
    phone.get_by_role("button", name="查询").click()
    outcome = phone.locator("dl.outcome").inner_text()
    assert "异议不成立" in outcome and "其弟已分户，该户符合救助条件" in outcome
    assert "13600009999" not in phone.content() and REASON not in phone.content()
    shot(phone, "62-publicity-objection-outcome")
    assert browser_log.csp_violations == [] and browser_log.page_errors == []
