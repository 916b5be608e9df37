"""Bulk entry from spreadsheets through the admin (django-import-export), via donation_record."""
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import Workbook

from donations.models import Donation, Donor, Receipt
from fundportal.models import LedgerEntry
from tests.fixtures.factories import CampaignFactory, DonorFactory, make_resident_id, make_uscc

pytestmark = pytest.mark.django_db

IMPORT_URL = reverse("admin:donations_donation_import")
PROCESS_URL = reverse("admin:donations_donation_process_import")
HEADER = ["捐赠方", "证件号码", "单位类别", "金额", "到账日期", "捐赠方式", "银行流水号", "募捐活动", "捐赠人数", "备注"]


def _csv(rows, encoding="utf-8") -> io.BytesIO:
    text = "\n".join(",".join(f'"{cell}"' for cell in row) for row in [HEADER, *rows])
    upload = io.BytesIO(text.encode(encoding))
    upload.name = "donations.csv"
    return upload


def _xlsx(rows) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    for row in [HEADER, *rows]:
        sheet.append(row)
    upload = io.BytesIO()
    book.save(upload)
    upload.seek(0)
    upload.name = "donations.xlsx"
    return upload


def _format_index(client, extension: str) -> str:
    form = client.get(IMPORT_URL).context["form"]
    return next(value for value, label in form.fields["format"].choices if label == extension)


def _preview(client, upload, extension="csv"):
    return client.post(IMPORT_URL, {
        "import_file": upload, "format": _format_index(client, extension), "resource": "0",
    })


def _confirm(client, preview):
    form = preview.context["confirm_form"]
    return client.post(PROCESS_URL, {**form.initial, "resource": "0"})


@pytest.fixture
def finance_client(client, finance):
    client.force_login(finance)
    return client


def test_messy_but_valid_file_imports_through_the_service(finance_client):
    campaign = CampaignFactory(name="慈善一日捐")
    existing = DonorFactory(name="瑞安市人民医院")
    new_code = make_uscc(4242)
    person = make_resident_id(77)
    preview = _preview(finance_client, _csv([
        ["瑞安市人民医院", existing.uscc, "", "311,000.00", "2023/7/5", "银行转账", "RA001", "慈善一日捐", "3126", ""],
        ["瑞安市医药行业协会", new_code.lower(), "协会/社会团体", "８４５００元", "45118", "转账", "RA002", "", "96", "会员集资"],
        ["陈建国", person.lower(), "", "5000", "2023-07-08", "现金", "", "", "", "诊所业主"],
        ["", "", "", "200", "2023年7月9日", "现金", "", "", "", "募捐箱"],
    ]))
    assert preview.status_code == 200
    assert not preview.context["result"].has_errors(), preview.context["result"].invalid_rows
    assert Donation.objects.count() == 0, "the preview is rolled back"

    response = _confirm(finance_client, preview)
    assert response.status_code == 302
    donations = {d.amount: d for d in Donation.objects.select_related("donor")}
    assert set(donations) == {Decimal("311000.00"), Decimal("84500.00"), Decimal("5000.00"), Decimal("200.00")}
    assert donations[Decimal("311000.00")].donor == existing
    assert donations[Decimal("311000.00")].campaign == campaign
    assert donations[Decimal("84500.00")].received_on == dt.date(2023, 7, 11)  # Excel serial 45118
    association = Donor.objects.get(uscc=new_code)
    assert association.org_kind == Donor.OrgKind.ASSOCIATION
    assert donations[Decimal("5000.00")].donor.resident_id == person
    assert donations[Decimal("200.00")].is_anonymous
    assert Receipt.objects.count() == 4 and LedgerEntry.objects.count() == 4
    assert {d.recorded_by.username for d in donations.values()} == {"finance"}


def test_bad_rows_are_reported_with_row_numbers_and_nothing_is_written(finance_client):
    DonorFactory(name="瑞安市人民医院", uscc=make_uscc(1))
    preview = _preview(finance_client, _csv([
        ["瑞安市人民医院", make_uscc(1), "", "1000", "2023-07-05", "银行转账", "RA100", "", "1", ""],
        ["某医院", "91330381ABC", "医院", "1000", "2023-07-05", "银行转账", "RA101", "", "1", ""],
        ["某诊所", make_uscc(2), "诊所", "一千元", "2023-07-05", "现金", "", "", "1", ""],
        ["某药房", make_uscc(3), "药店/医药企业", "500", "2023/2/30", "现金", "", "", "1", ""],
        ["某协会", make_uscc(4), "协会/社会团体", "500", "2023-07-05", "支票", "", "", "1", ""],
        ["某医院", make_uscc(5), "医院", "500", "2023-07-05", "现金", "", "不存在的活动", "1", ""],
    ]))
    result = preview.context["result"]
    assert result.has_validation_errors()
    body = preview.content.decode()
    for reason in ("18位", "不是有效数字", "不存在", "捐赠方式“支票”无效", "募捐活动“不存在的活动”不存在"):
        assert reason in body, reason
    invalid_numbers = sorted(row.number for row in result.invalid_rows)
    assert invalid_numbers == [3, 4, 5, 6, 7]  # the rows as Excel numbers them: the header is row 1
    assert "confirm_form" not in preview.context or preview.context["confirm_form"] is None
    assert not Donation.objects.exists() and not LedgerEntry.objects.exists() and not Receipt.objects.exists()
    assert Donor.objects.count() == 1


def test_a_service_refusal_is_a_row_error_too(finance_client):
    donor = DonorFactory()
    preview = _preview(finance_client, _csv([
        ["", donor.uscc, "", "1000", "2023-07-05", "银行转账", "RA200", "", "1", ""],
        ["", donor.uscc, "", "1000", "2023-07-06", "银行转账", "RA200", "", "1", "同一流水号"],
    ]))
    result = preview.context["result"]
    assert [row.number for row in result.invalid_rows] == [3]
    assert "已登记过" in preview.content.decode()
    assert not Donation.objects.exists()


def test_gbk_csv_and_xlsx_are_read(finance_client):
    DonorFactory(name="瑞安市人民医院", uscc=make_uscc(9))
    preview = _preview(finance_client, _csv([
        ["瑞安市人民医院", make_uscc(9), "", "22000", "2023/7/10", "银行转账", "RA300", "", "213", ""],
    ], encoding="gbk"))
    assert not preview.context["result"].has_errors() and not preview.context["result"].has_validation_errors()
    preview = _preview(finance_client, _xlsx([
        ["瑞安市人民医院", make_uscc(9), "", 17800, dt.datetime(2023, 7, 11), "银行转账", "RA301", "", 86, ""],
        ["瑞安市人民医院", make_uscc(9), "", 1234.5, 45119, "银行转账", "RA302", "", 1, "数字单元格"],
    ]), extension="xlsx")
    assert not preview.context["result"].has_validation_errors(), preview.context["result"].invalid_rows
    _confirm(finance_client, preview)
    assert sorted(Donation.objects.values_list("amount", flat=True)) == [Decimal("1234.50"), Decimal("17800.00")]


def test_confirming_the_same_preview_twice_imports_once(finance_client):
    preview = _preview(finance_client, _csv([["", "", "", "300", "2023-07-05", "现金", "", "", "", ""]]))
    assert _confirm(finance_client, preview).status_code == 302
    assert _confirm(finance_client, preview).status_code == 302
    assert Donation.objects.count() == 1


def test_organisations_need_a_code_and_names_never_guess_a_registered_donor(finance_client):
    DonorFactory(name="瑞安市人民医院")
    preview = _preview(finance_client, _csv([
        ["某某医院", "", "医院", "1000", "2023-07-05", "现金", "", "", "1", ""],
        ["瑞安市人民医院", "", "", "1000", "2023-07-05", "现金", "", "", "1", ""],
    ]))
    body = preview.content.decode()
    assert "单位捐赠方须填写统一社会信用代码" in body and "已登记并有证件号码" in body
    assert not Donation.objects.exists()


def test_only_finance_may_import(client, auditor, clerk):
    for user in (auditor, clerk):
        client.force_login(user)
        assert client.get(IMPORT_URL).status_code == 403


def test_a_fractional_giver_count_is_refused(finance_client):
    preview = _preview(finance_client, _csv([["", "", "", "300", "2023-07-05", "现金", "", "", "1.5", ""]]))
    assert "不是整数" in preview.content.decode() and not Donation.objects.exists()


@pytest.mark.parametrize("kind", ["inline cell", "shared string"])
def test_an_xlsx_that_unpacks_to_hundreds_of_mb_is_refused_before_reading_naming_the_limit(finance_client, kind):
    from tests.core.xlsx_bombs import bomb

    upload = io.BytesIO(bomb(kind).read_bytes())
    upload.name = "donations.xlsx"
    preview = _preview(finance_client, upload, extension="xlsx")
    body = preview.content.decode()
    assert preview.status_code == 200 and "解压后为 300.0" in body and "超过上限 64.0" in body
    assert "result" not in preview.context and not Donation.objects.exists()


def test_an_import_file_over_the_size_limit_is_refused_before_it_is_read(finance_client):
    upload = io.BytesIO(b"a" * (10 * 1024 * 1024 + 1))
    upload.name = "donations.csv"
    body = _preview(finance_client, upload).content.decode()
    assert "导入文件为 10.0" in body and "超过上限 10.0" in body and not Donation.objects.exists()


def test_an_import_row_over_a_columns_limit_is_a_row_error_not_a_server_error(finance_client):
    preview = _preview(finance_client, _csv([["", "", "", "300", "2023-07-05", "现金", "R" * 65, "", "1", "备" * 201]]))
    assert preview.status_code == 200
    body = preview.content.decode()
    assert "64" in body and "200" in body and not Donation.objects.exists()


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_import_errors_give_the_row_number_the_spreadsheet_shows(finance_client, extension):
    good = ["", "", "", "300", "2023-07-05", "现金", "", "", "1", ""]
    bad = ["", "", "", "不是金额", "2023-07-05", "现金", "", "", "1", ""]
    # Row 1 the header, row 2 good, rows 3 and 4 blank (an empty line, empty cells), row 5 bad.
    rows = [good, [], [""] * len(HEADER), bad]
    upload = _csv(rows) if extension == "csv" else _xlsx(rows)
    result = _preview(finance_client, upload, extension=extension).context["result"]
    assert [row.number for row in result.invalid_rows] == [5]


def test_a_repeated_bank_reference_in_an_import_prints_the_amount_like_money(finance_client):
    preview = _preview(finance_client, _csv([
        ["", "", "", "4000", "2023-07-05", "银行转账", "RA400", "", "1", ""],
        ["", "", "", "4000", "2023-07-06", "银行转账", "RA400", "", "1", ""],
    ]))
    body = preview.content.decode()
    assert "流水号 RA400 已登记过（匿名捐赠人 4,000.00 元 (2023-07-05)）" in body, body[body.find("RA400"):][:300]
    assert "4000.00" not in body
