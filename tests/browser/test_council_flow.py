"""The money going out, in Chromium: the council's secretary records a meeting (first without a
quorum, and is told so), drafts and signs a resolution; then finance prepares and exports the
batch and a colleague imports the bank's result file, which reconciles it."""
import csv
import io
import re

import pytest
from openpyxl import load_workbook

from assistance.models import Payout, PayoutBatch, Resolution
from tests.fixtures.personas import PASSWORD
from tests.fixtures.council import fund, ready_application

from .conftest import CHROMIUM

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing: install Debian's chromium package"),
]


def log_in(new_context, live_server, user):
    page = new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # "签署后决议不能修改，确认签署？"
    page.goto(f"{live_server.url}/admin/")
    page.get_by_label("用户名").fill(user.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    return page


def test_the_secretary_records_a_meeting_and_signs_a_resolution(live_server, secretary, clerk, town, scheme,
                                                               finance_a, new_context, browser_log, shot):
    fund("100000", finance_a)
    first = ready_application(clerk, town, out_of_pocket="55000")
    ready_application(clerk, town, out_of_pocket="35000")
    page = log_in(new_context, live_server, secretary)
    page.get_by_role("link", name="理事会会议").first.click()
    page.get_by_role("link", name="增加 理事会会议").click()
    page.get_by_label("会议日期").fill("2023-06-01")
    page.get_by_label("会议名称").fill("2023年第二次理事会")
    page.get_by_label("议程").fill("审议2023年度第一批救助名单")
    page.get_by_label("市医疗保障局").fill("王建国")
    page.get_by_label("市民政局").fill("林晓红")
    page.get_by_role("button", name="保存会议记录").click()
    page.wait_for_url(re.compile(r"/meeting/\d+/change/$"))
    assert "出席 2 家，须 3 家" in page.locator("#quorum").inner_text()
    shot(page, "30-meeting-without-quorum")

    page.get_by_role("link", name="起草决议").click()
    page.get_by_label("救助方案：").select_option(str(scheme.pk))
    page.get_by_role("button", name="生成决议草案").click()
    page.wait_for_url(re.compile(r"/resolution/\d+/change/$"))
    items = page.locator("#items tbody")
    assert first.number in items.inner_text() and "35,000.00" in items.inner_text()
    assert first.person.name not in page.content()  # masked
    page.get_by_role("button", name="会议已通过，签署决议").click()
    assert "不足法定人数" in page.locator(".messagelist").inner_text()  # told, nothing signed
    shot(page, "31-sign-refused-no-quorum")
    assert not Resolution.objects.filter(signed_at__isnull=False).exists()

    page.get_by_role("link", name=re.compile("2023年第二次理事会")).first.click()
    page.get_by_label("市红十字会").fill("周海燕")
    page.get_by_role("button", name="保存会议记录").click()
    assert "出席 3 家，须 3 家" in page.locator("#quorum").inner_text()
    page.locator("table.wide a").first.click()
    page.get_by_role("button", name="会议已通过，签署决议").click()
    assert "决议已签署，编号 2023-第1号" in page.locator(".messagelist").inner_text()
    assert page.get_by_role("button", name="会议已通过，签署决议").count() == 0
    shot(page, "32-resolution-signed")
    resolution = Resolution.objects.get()
    assert (resolution.number, resolution.approved, resolution.signed_by) == ("2023-第1号", 56000, secretary)
    assert browser_log.csp_violations == [] and browser_log.page_errors == []


def test_finance_exports_a_batch_and_a_colleague_reconciles_it(live_server, secretary, clerk, town, scheme,
                                                               finance_a, finance_b, new_context, browser_log,
                                                               shot, tmp_path):
    from assistance.council.services import resolution_draft_payouts, resolution_sign
    from tests.fixtures.council import meeting_with_quorum, publicity_end

    fund("100000", finance_a)
    ready_application(clerk, town, out_of_pocket="55000")
    ready_application(clerk, town, out_of_pocket="35000")
    resolution = resolution_sign(acting_user=secretary, resolution=resolution_draft_payouts(
        meeting=meeting_with_quorum(secretary), scheme=scheme, acting_user=secretary))
    publicity_end(resolution)

    page = log_in(new_context, live_server, finance_a)
    page.goto(f"{live_server.url}/admin/assistance/resolution/{resolution.pk}/change/")
    page.get_by_role("button", name="生成支付批次").click()
    page.wait_for_url(re.compile(r"/payoutbatch/\d+/change/$"))
    with page.expect_download() as download_info:
        page.get_by_role("button", name="导出银行转账文件（Excel）").click()
    download = download_info.value
    assert re.fullmatch(r"ZF2023-1-1\.xlsx", download.suggested_filename)
    download.save_as(tmp_path / download.suggested_filename)
    rows = list(load_workbook(tmp_path / download.suggested_filename).worksheets[0].iter_rows(values_only=True))
    assert rows[0][0] == "参考号" and len(rows) == 3
    page.reload()
    assert "本批次由您制单" in page.content()
    shot(page, "33-batch-exported")

    # The bank pays one and fails the other; a colleague imports its file.
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["参考号", "金额", "结果", "说明"])
    writer.writerow([rows[1][0], rows[1][4], "成功", ""])
    writer.writerow([rows[2][0], rows[2][4], "失败", "户名与账号不符"])
    result_file = tmp_path / "回单.csv"
    result_file.write_bytes(out.getvalue().encode("utf-8"))
    colleague = log_in(new_context, live_server, finance_b)
    colleague.goto(page.url)
    colleague.locator("input[type=file]").set_input_files(str(result_file))
    colleague.get_by_role("button", name="导入").click()
    assert "正在逐笔对账" in colleague.locator(".messagelist").inner_text()
    colleague.reload()
    assert "户名与账号不符" in colleague.locator("#payouts").inner_text()
    shot(colleague, "34-batch-reconciled")
    assert sorted(Payout.objects.values_list("state", flat=True)) == ["failed", "paid"]

    # The preparer re-issues the failed one to the corrected account.
    page.reload()
    page.locator("details.reissue summary").click()
    page.get_by_label("银行账号").fill("6228480012345678999")
    page.get_by_role("button", name="生成重新支付").click()
    assert "已生成重新支付" in page.locator(".messagelist").inner_text()
    assert PayoutBatch.objects.count() == 2
    shot(page, "35-reissue")
    assert browser_log.csp_violations == [] and browser_log.page_errors == []
