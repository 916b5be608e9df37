"""A family follows its case on a phone, in Chromium: the clerk's printed slip shows the look-up
code and the QR code of the progress page's link; the family opens that link and, as the case
moves through the stages' services between visits, sees each step reached, up to 到账."""
import io
import re

import pytest
import zxingcpp
from PIL import Image

from fundportal.lookups import public_link
from fundportal.pdf import qr_svg_data_uri
from tests.fixtures.personas import PASSWORD
from tests.progress.helpers import NAME, People, bank_answers, determine, publicity_end, send, sign, submit

from .conftest import CHROMIUM

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing: install Debian's chromium package"),
]
PHONE = {"width": 390, "height": 844}


def current_step(page) -> str:
    return page.locator('li[aria-current="step"]').inner_text()


def test_a_family_follows_its_case_from_the_slips_qr_code_to_paid(
        live_server, settings, regions, clerk, cab_city, cab_town, cab_village, secretary, finance_a, finance_b,
        scheme, new_context, browser_log, shot):
    settings.SITE_URL = live_server.url  # the link printed on the slip leads to this server
    people = People(clerk=clerk, cab_city=cab_city, cab_town=cab_town, cab_village=cab_village,
                    secretary=secretary, finance_a=finance_a, finance_b=finance_b)
    application = submit(people, regions["hantian"])
    link = public_link("progress:lookup", n=application.number, c=application.lookup_code)

    desk = new_context(viewport={"width": 1024, "height": 1366}).new_page()
    desk.goto(f"{live_server.url}/admin/login/?next=/workspace/applications/{application.number}/slip/")
    desk.get_by_label("用户名").fill(clerk.username)
    desk.get_by_label("密码").fill(PASSWORD)
    desk.get_by_role("button", name="登录").click()
    desk.wait_for_url(re.compile(r"/slip/$"))
    qr = desk.get_by_role("img", name="办理进度查询二维码")
    assert qr.is_visible() and qr.evaluate("img => img.complete && img.naturalWidth > 0")
    assert qr.get_attribute("src") == qr_svg_data_uri(link)
    scanned = [code.text for code in zxingcpp.read_barcodes(Image.open(io.BytesIO(qr.screenshot())))]
    assert scanned == [link]  # what a phone's camera reads off the slip
    slip = desk.locator("article.slip").inner_text()
    assert application.lookup_code in slip and "请凭申请编号和查询码查询办理进度" in slip
    shot(desk, "60-slip-with-progress-qr")

    phone = new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True).new_page()
    phone.goto(scanned[0])  # what scanning the QR code opens
    phone.get_by_role("heading", name="办理进度").wait_for()
    assert "王*明" in phone.locator("dl.facts").inner_text() and NAME not in phone.content()
    assert "资格审核" in current_step(phone) and "民政部门正在核查认定家庭情况" in current_step(phone)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(phone, "61-progress-under-review-phone")

    determine(people, application)
    phone.reload()
    assert "方案测算" in current_step(phone)

    resolution = sign(people, scheme)
    phone.reload()
    assert "公示中" in current_step(phone)
    assert "理事会决议 2023-第1号：批准救助金 ¥35,000.00" in phone.locator("ol.steps").inner_text()
    shot(phone, "62-progress-publicity-phone")

    publicity_end(resolution)
    batch = send(people, resolution)
    phone.reload()
    assert "已提交银行，等待到账" in current_step(phone)

    bank_answers(people, batch.payouts.get())
    phone.reload()
    paid = current_step(phone)
    assert "到账" in paid and "救助金 ¥35,000.00 已到账" in paid and "已完成" in paid
    assert phone.locator("li.step.done").count() == 7
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(phone, "63-progress-paid-phone")

    # Typed by hand on another phone, in English: the same case.
    other = new_context(viewport=PHONE, locale="en-US").new_page()
    other.goto(f"{live_server.url}/en/progress/")
    other.locator("#id_n").fill(application.number)
    other.locator("#id_c").fill(application.lookup_code.lower())
    other.locator("form.stack button[type=submit]").click()
    other.locator('li[aria-current="step"]').wait_for()
    assert application.number in other.locator("dl.facts").inner_text()
    assert browser_log.csp_violations == [] and browser_log.page_errors == []
