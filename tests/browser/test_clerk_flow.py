"""A Red Cross clerk enters a full application in Chromium, from the ID number to the printed
acknowledgement slip: the ID checked as it is typed, the applicant prefilled from the registry and
the MSB's data, a renamed file refused, then accepted."""
import datetime as dt
import re
from decimal import Decimal

import pytest

from assistance.review.services import screening_run_share
from assistance.models import Application, ReviewCase, SettlementRecord
from tests.fixtures.personas import PASSWORD
from tests.fixtures.screening import YEAR, make_run

from .conftest import CHROMIUM

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing: install Debian's chromium package"),
]
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@pytest.fixture
def target(db, msb, regions, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    screening_run_share(run=make_run(msb, [(3, regions["hantian"])]), acting_user=msb)
    person = ReviewCase.objects.get().person
    SettlementRecord.objects.create(year=YEAR, settlement_no="JS1", person=person, settled_on=dt.date(YEAR, 3, 5),
                                    institution="瑞安市人民医院", total_cost=Decimal("90000"),
                                    fund_basic=Decimal("30000"), out_of_pocket=Decimal("60000"))
    return person, tmp_path


def test_a_clerk_enters_an_application_from_id_to_slip(live_server, clerk, target, new_context, browser_log, shot):
    person, folder = target
    renamed = folder / "发票.pdf"
    renamed.write_bytes(b"MZ\x90\x00" + b"\x00" * 200)  # a Windows program called .pdf
    invoice = folder / "发票2.pdf"
    invoice.write_bytes(PDF)

    page = new_context(viewport={"width": 1024, "height": 1366}).new_page()  # a tablet, upright
    page.goto(f"{live_server.url}/admin/login/?next=/workspace/")
    page.get_by_label("用户名").fill(clerk.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/workspace/$"))
    page.get_by_role("link", name="新建申请").first.click()

    id_input = page.get_by_label("申请人身份证号码")
    wrong = person.resident_id[:17] + ("0" if person.resident_id[17] != "0" else "1")
    id_input.fill(wrong)
    id_input.press("End")
    id_input.type(" ")  # an input event: the script checks as the clerk types
    hint = page.locator(".hint")
    assert "校验位错误" in hint.inner_text()
    id_input.fill(person.resident_id.lower())
    id_input.type(" ")
    assert "有效" in hint.inner_text()
    page.get_by_label("医疗费用年度").select_option(str(YEAR))
    shot(page, "30-clerk-lookup")
    page.get_by_role("button", name="查找并开始填写").click()

    page.wait_for_selector("text=医保结算")
    assert page.get_by_label("申请人姓名").input_value() == person.name
    assert "60,000.00" in page.locator(".summary").inner_text()
    assert "在预警名单中" in page.locator(".summary").inner_text()
    assert person.resident_id not in page.url

    page.get_by_label("联系电话").fill("13812345678")
    page.get_by_label("开户银行").fill("浙江瑞安农村商业银行")
    page.get_by_label("银行账号").fill("6228 4800 1234 5673 256")
    page.locator("#id_costs-0-institution").fill("上海交通大学医学院附属瑞金医院")
    page.locator("#id_costs-0-invoice_number").fill("310000220011")
    page.locator("#id_costs-0-paid_on").fill(f"{YEAR}-05-03")
    page.locator("#id_costs-0-amount").fill("12500")
    page.locator("#id_documents-0-kind").select_option("invoice")
    page.locator("#id_documents-0-file").set_input_files(str(renamed))
    page.get_by_role("button", name="受理并打印回执").click()
    page.wait_for_selector("text=不是 PDF、JPEG 或 PNG 文件")
    shot(page, "31-clerk-renamed-file-refused")
    assert not Application.objects.exists()

    page.locator("#id_documents-0-file").set_input_files(str(invoice))
    page.get_by_role("button", name="受理并打印回执").click()
    page.wait_for_url(re.compile(r"/slip/$"))
    application = Application.objects.get()
    slip = page.locator(".slip").inner_text()
    assert application.number in slip and "6228 **** **** 3256" in slip and "医疗费用发票" in slip
    shot(page, "32-clerk-slip")

    page.get_by_role("link", name="我受理的申请").click()
    assert application.number in page.locator("table.list").inner_text()
    assert application.state == Application.State.UNDER_REVIEW
    assert application.extra_costs.get().amount == Decimal("12500.00")
    assert browser_log.csp_violations == [] and browser_log.page_errors == []
