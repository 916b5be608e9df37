"""The donation import's error page speaks the file's language: each error under the file's own
column heading (金额, 到账日期 …), never a model field code or a literal "None", a heading in
correct Chinese, and a bounded list: the first 100 bad rows with the count of all."""
import io
import re

import pytest
from django.urls import reverse

from donations.models import Donation
from tests.fixtures.factories import DonorFactory

pytestmark = pytest.mark.django_db

IMPORT_URL = reverse("admin:donations_donation_import")
HEADER = ["捐赠方", "证件号码", "单位类别", "金额", "到账日期", "捐赠方式", "银行流水号", "募捐活动", "捐赠人数", "备注"]


def _csv(rows) -> io.BytesIO:
    text = "\n".join(",".join(f'"{cell}"' for cell in row) for row in [HEADER, *rows])
    upload = io.BytesIO(text.encode())
    upload.name = "donations.csv"
    return upload


def _preview(client, upload):
    form = client.get(IMPORT_URL).context["form"]
    csv_format = next(value for value, label in form.fields["format"].choices if label == "csv")
    return client.post(IMPORT_URL, {"import_file": upload, "format": csv_format, "resource": "0"})


def _error_cells(body: str) -> str:
    return " ".join(re.findall(r'<td class="errors">(.*?)</td>', body, flags=re.S))


@pytest.fixture
def finance_client(client, finance):
    client.force_login(finance)
    return client


def test_donation_import_errors_name_the_files_own_columns_and_never_none(finance_client):
    donor = DonorFactory()
    preview = _preview(finance_client, _csv([
        ["", "", "", "", "", "", "", "", "", "只有备注"],  # blanks where cells are required (a blank row is no row)
        ["", donor.uscc, "", "100", "2023-07-05", "现金", "", "", "0", ""],  # a refusal of the count
        ["", "", "", "1000", "2023-07-05", "银行转账", "RA1", "", "1", ""],
        ["", "", "", "1000", "2023-07-06", "银行转账", "RA1", "", "1", ""],  # the service refuses a repeat
    ]))
    body = preview.content.decode()
    errors = _error_cells(body)
    assert preview.context["result"].has_validation_errors()
    for heading in ("金额", "到账日期", "捐赠方式", "捐赠人数", "银行流水号"):
        assert f'<span class="validation-error-field-label">{heading}</span>' in errors, heading
    for code in ("amount", "received_on", "channel", "giver_count", "bank_reference", "None"):
        assert code not in errors, code
    assert "捐赠方式为空" in errors and "金额为空" in errors
    assert "某些行验数据证失败" not in body and "部分行未通过校验" in body
    assert not Donation.objects.exists()


def test_donation_import_lists_the_first_hundred_bad_rows_and_counts_the_rest(finance_client):
    preview = _preview(finance_client, _csv([["", "", "", "不是金额", "2023-07-05", "现金", "", "", "1", ""]] * 150))
    body = preview.content.decode()
    assert len(preview.context["result"].invalid_rows) == 150
    assert body.count('<td class="errors">') == 100
    assert "共 150 行有错误，仅列出前 100 行" in body


def test_a_donation_file_of_more_rows_than_the_limit_is_refused_before_it_is_previewed(finance_client):
    from donations.resources import MAX_IMPORT_ROWS

    upload = _csv([["", "", "", "x", "2023-07-05", "现金", "", "", "1", ""]] * (MAX_IMPORT_ROWS + 1))
    body = _preview(finance_client, upload).content.decode()
    assert "文件超过 20,000 行，请分批导入" in body and not Donation.objects.exists()
