"""An .xlsx is checked as the XML openpyxl will read, not as text: elements are matched by namespace
and local name whatever prefix the file binds, in whichever part openpyxl will open as a sheet,
and a row's number is read as openpyxl reads it. A 1.4 KB sheet written as
<x:worksheet xmlns:x=…><x:row r="50000000"> once passed the check (it looked for the text "<row")
and cost a worker 30 to 70 seconds of empty rows; near row 2^31 it would have been tens of minutes.

Time is bounded by construction, not by a stopwatch: a refused file never reaches openpyxl (its
loader fails the test if called), the check reads each byte once, and `sheet_rows` yields only
the rows a file holds, so a file that passes costs what its bytes hold, never what its row
numbers claim."""
import io
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import openpyxl
import pytest
from django.urls import reverse
from openpyxl import load_workbook

from assistance.payouts import bankfiles
from assistance.importing.columns import ImportFileError
from assistance.importing.reader import iter_rows
from fundportal.admin_utils import error_text
from fundportal.uploads import (MAX_CELL_CHARS, MAX_ROW_CELLS, SETTLEMENT_XLSX, SMALL_XLSX, UploadRefused,
                                XlsxLimits, sheet_rows, xlsx_check)
from tests.assistance.helpers import HEADER as SETTLEMENT_HEADER

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
_XML = "application/vnd.openxmlformats-officedocument.spreadsheetml"

BANK_HEADER = ["参考号", "金额", "结果", "说明"]
DONATION_HEADER = ["捐赠方", "证件号码", "单位类别", "金额", "到账日期", "捐赠方式", "银行流水号", "募捐活动", "捐赠人数", "备注"]
FAR = 50_000_000


def cell(ref: str, value, p: str = "x:") -> str:
    return f'<{p}c r="{ref}" t="inlineStr"><{p}is><{p}t>{escape(str(value))}</{p}t></{p}is></{p}c>'


def row(number, values, p: str = "x:", r: str | None = None) -> str:
    cells = "".join(cell(f"{chr(65 + i)}{number}", v, p) for i, v in enumerate(values))
    return f'<{p}row r="{r or number}">{cells}</{p}row>'


def workbook(path: Path, header: list, rows_xml: str = "", *, p: str = "x:", sheet_path: str = "xl/worksheets/sheet1.xml",
             shared_strings: str | None = None) -> Path:
    """An .xlsx whose sheet binds the SpreadsheetML namespace to the prefix `p` (x: by default, as
    the probe's files do), declares the whole grid, and holds the header and `rows_xml`."""
    declare = f'xmlns:{p[:-1]}="{NS}"' if p else f'xmlns="{NS}"'
    sheet = (f'<?xml version="1.0" encoding="UTF-8"?><{p}worksheet {declare}><{p}dimension ref="A1:XFD1048576"/>'
             f"<{p}sheetData>{row(1, header, p)}{rows_xml}</{p}sheetData></{p}worksheet>")
    target = sheet_path.removeprefix("xl/")
    strings_rel = (f'<Relationship Id="rId2" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
                   if shared_strings is not None else "")
    strings_ct = (f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_XML}.sharedStrings+xml"/>'
                  if shared_strings is not None else "")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("[Content_Types].xml", (
            f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{_CT}">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{_XML}.sheet.main+xml"/>'
            f'<Override PartName="/{sheet_path}" ContentType="{_XML}.worksheet+xml"/>{strings_ct}</Types>'))
        book.writestr("_rels/.rels", (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PKG}">'
            f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'))
        book.writestr("xl/workbook.xml", (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{NS}" xmlns:r="{_REL}">'
            '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'))
        book.writestr("xl/_rels/workbook.xml.rels", (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PKG}">'
            f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="{target}"/>{strings_rel}</Relationships>'))
        book.writestr(sheet_path, sheet)
        if shared_strings is not None:
            book.writestr("xl/sharedStrings.xml", shared_strings)
    return path


@pytest.fixture
def openpyxl_never_opens(monkeypatch):
    """A refusal made before openpyxl reads anything: its loader fails the test if reached."""
    def reached(*_args, **_kwargs):
        raise AssertionError("openpyxl was asked to read a file the check should have refused")

    monkeypatch.setattr(openpyxl, "load_workbook", reached)


def _read_rows(path: Path, limits=SETTLEMENT_XLSX) -> list:
    book = load_workbook(path, read_only=True, data_only=True)
    try:
        return list(sheet_rows(book.worksheets[0], limits))
    finally:
        book.close()


# ------------------------------------------------------------------- the three upload paths

def test_a_bank_result_file_with_a_prefixed_namespace_row_past_the_limit_is_refused_before_openpyxl(
        tmp_path, openpyxl_never_opens):
    path = workbook(tmp_path / "bank_px50m.xlsx", BANK_HEADER, row(FAR, ["x"]))
    assert path.stat().st_size < 2000
    with pytest.raises(UploadRefused) as refused:
        bankfiles.result_lines(path.read_bytes(), "回单.xlsx")
    assert refused.value.messages == ["该 Excel 文件用到了第 50,000,000 行，超过上限 100,000 行：请删去多余的行或拆分文件"]


@pytest.mark.django_db
def test_a_donation_import_with_a_prefixed_namespace_row_past_the_limit_is_refused_before_openpyxl(
        tmp_path, client, finance, openpyxl_never_opens):
    path = workbook(tmp_path / "don_px.xlsx", DONATION_HEADER, row(1_048_576, ["x"]))
    client.force_login(finance)
    url = reverse("admin:donations_donation_import")
    xlsx = next(value for value, label in client.get(url).context["form"].fields["format"].choices if label == "xlsx")
    upload = io.BytesIO(path.read_bytes())
    upload.name = "don_px.xlsx"
    response = client.post(url, {"import_file": upload, "format": xlsx, "resource": "0"})
    assert "该 Excel 文件用到了第 1,048,576 行，超过上限 100,000 行" in response.content.decode()
    assert not response.context.get("result")


def test_a_settlement_file_with_a_prefixed_namespace_row_past_excels_last_row_is_refused_before_openpyxl(
        tmp_path, openpyxl_never_opens):
    path = workbook(tmp_path / "set_px50m.xlsx", SETTLEMENT_HEADER, row(FAR, ["JS1"]))
    with pytest.raises(ImportFileError) as refused:
        next(iter_rows(path))
    assert str(refused.value) == "该 Excel 文件用到了第 50,000,000 行，超过上限 1,048,576 行：请删去多余的行或拆分文件"


# ------------------------------------------------------- the check reads XML as openpyxl does

@pytest.mark.parametrize("prefix", ["x:", "ss:", ""])
def test_the_row_limit_holds_whatever_prefix_the_sheet_binds(tmp_path, prefix):
    path = workbook(tmp_path / "far.xlsx", BANK_HEADER, row(SMALL_XLSX.max_row + 1, ["x"], prefix), p=prefix)
    with pytest.raises(UploadRefused):
        xlsx_check(path, SMALL_XLSX)
    xlsx_check(workbook(tmp_path / "near.xlsx", BANK_HEADER, row(SMALL_XLSX.max_row, ["x"], prefix), p=prefix),
               SMALL_XLSX)


@pytest.mark.parametrize("far, near", [("5e7", "3e3"), ("50_000_000", "3_000"), ("&#53;0000000", "&#51;000"),
                                       (" 50000000 ", " 3000 "), ("50000000.0", "3000.0")])
def test_a_row_number_is_read_as_openpyxl_reads_it(tmp_path, far, near):
    with pytest.raises(UploadRefused) as refused:
        xlsx_check(workbook(tmp_path / "far.xlsx", BANK_HEADER, row(2, ["x"], r=far)), SETTLEMENT_XLSX)
    assert "第 50,000,000 行" in refused.value.messages[0]
    # The same spelling of a small number: openpyxl reads it as that row, and the check lets it pass.
    path = workbook(tmp_path / "near.xlsx", BANK_HEADER, row(2, ["x"], r=near))
    xlsx_check(path, SETTLEMENT_XLSX)
    assert _read_rows(path)[-1][0] == 3000


def test_rows_without_numbers_count_on_from_a_prefixed_row(tmp_path):
    rows_xml = row(SMALL_XLSX.max_row, ["x"]) + "<x:row><x:c/></x:row>"
    with pytest.raises(UploadRefused) as refused:
        xlsx_check(workbook(tmp_path / "counted.xlsx", BANK_HEADER, rows_xml), SMALL_XLSX)
    assert "第 100,001 行" in refused.value.messages[0]


def test_a_sheet_stored_under_another_name_is_checked_too(tmp_path):
    # openpyxl opens the part the workbook's relationships name, whatever it is called.
    path = workbook(tmp_path / "moved.xlsx", BANK_HEADER, row(FAR, ["x"]), sheet_path="xl/data.bin")
    assert _read_rows(path, XlsxLimits(part_bytes=1 << 30, total_bytes=1 << 30, max_row=FAR))[-1][0] == FAR
    with pytest.raises(UploadRefused):
        xlsx_check(path, SMALL_XLSX)


def test_a_row_inside_a_row_or_a_cell_is_refused(tmp_path):
    # openpyxl reads the inner row as a row of its own: it must not pass as a cell of the outer one.
    rows_xml = f'<x:row r="2">{cell("A2", "x")}<x:row r="{FAR}"/></x:row>'
    with pytest.raises(UploadRefused) as refused:
        xlsx_check(workbook(tmp_path / "nested.xlsx", BANK_HEADER, rows_xml), SETTLEMENT_XLSX)
    assert "套在另一行或单元格里" in refused.value.messages[0]
    # Nor inside a shared string, where it would end the string's count of characters.
    strings = (f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{NS}"><si><row/>'
               + f"<r><t>{'长' * 30_000}</t></r>" * 3 + "</si></sst>")
    with pytest.raises(UploadRefused):
        xlsx_check(workbook(tmp_path / "in_string.xlsx", BANK_HEADER, shared_strings=strings), SETTLEMENT_XLSX)


def test_a_prefixed_row_of_more_cells_than_excel_has_columns_is_refused(tmp_path):
    # Children of a row are cells to openpyxl whatever their name.
    with pytest.raises(UploadRefused) as refused:
        xlsx_check(workbook(tmp_path / "cells.xlsx", BANK_HEADER, '<x:row r="2">' + "<x:c/>" * (MAX_ROW_CELLS + 1)
                            + "</x:row>"), SMALL_XLSX)
    assert "16,384 个单元格" in refused.value.messages[0]
    with pytest.raises(UploadRefused):
        xlsx_check(workbook(tmp_path / "any.xlsx", BANK_HEADER, '<x:row r="2">' + "<x:z/>" * (MAX_ROW_CELLS + 1)
                            + "</x:row>"), SMALL_XLSX)
    xlsx_check(workbook(tmp_path / "fits.xlsx", BANK_HEADER, '<x:row r="2">' + "<x:c/>" * MAX_ROW_CELLS + "</x:row>"),
               SMALL_XLSX)


def test_a_prefixed_cell_or_shared_string_longer_than_a_cell_is_refused(tmp_path):
    text = "长" * (MAX_CELL_CHARS // 2 + 1)
    # Two rich-text runs, each shorter than a cell, one string longer: openpyxl joins them.
    strings = (f'<?xml version="1.0" encoding="UTF-8"?><s:sst xmlns:s="{NS}"><s:si><s:r><s:t>{text}</s:t></s:r>'
               f"<s:r><s:t>{text}</s:t></s:r></s:si></s:sst>")
    with pytest.raises(UploadRefused) as refused:
        xlsx_check(workbook(tmp_path / "strings.xlsx", BANK_HEADER, shared_strings=strings), SMALL_XLSX)
    assert "32,767 个字符" in refused.value.messages[0]
    inline = ('<x:row r="2"><x:c r="A2" t="inlineStr"><x:is>' + f"<x:r><x:t>{text}</x:t></x:r>" * 3
              + "</x:is></x:c></x:row>")
    with pytest.raises(UploadRefused):
        xlsx_check(workbook(tmp_path / "inline.xlsx", BANK_HEADER, inline), SMALL_XLSX)


def test_a_comment_too_long_to_be_a_tag_is_refused_before_expat_holds_it_whole(tmp_path):
    rows_xml = "<!--" + "<x:row/>" * (1 << 18) + "-->"  # 2 MB with "<" every 8 bytes: no text run
    with pytest.raises(UploadRefused) as refused:
        xlsx_check(workbook(tmp_path / "comment.xlsx", BANK_HEADER, rows_xml), SETTLEMENT_XLSX)
    assert "中有一个标记超过 1.0" in refused.value.messages[0]


# ---------------------------------------------------- reading costs what the file holds

def test_sheet_rows_yields_only_the_rows_a_file_holds_whatever_their_numbers(tmp_path):
    path = workbook(tmp_path / "set_px.xlsx", SETTLEMENT_HEADER, row(1_048_576, ["JS1"]))
    xlsx_check(path, SETTLEMENT_XLSX)  # Excel's last row: a settlement file may use it
    rows = _read_rows(path)
    assert [number for number, _values in rows] == [1, 1_048_576]  # two rows read, not a million
    assert rows[-1][1] == ("JS1", *[None] * (len(SETTLEMENT_HEADER) - 1))


def test_sheet_rows_refuses_a_row_past_the_limit_before_anything_is_yielded_for_the_gap(tmp_path):
    # Even without the check: the far row is refused as it is parsed, before any row after the header.
    path = workbook(tmp_path / "far.xlsx", BANK_HEADER, row(2, ["ZF1"]) + row(FAR, ["x"]))
    book = load_workbook(path, read_only=True, data_only=True)
    try:
        rows = sheet_rows(book.worksheets[0], SMALL_XLSX)
        assert [next(rows), next(rows)] == [(1, tuple(BANK_HEADER)), (2, ("ZF1", None, None, None))]
        with pytest.raises(UploadRefused) as refused:
            next(rows)
    finally:
        book.close()
    assert "第 50,000,000 行" in refused.value.messages[0]


def test_rows_out_of_order_are_refused_not_dropped(tmp_path):
    # openpyxl's own iter_rows drops a row numbered below the one before it, silently.
    path = workbook(tmp_path / "order.xlsx", BANK_HEADER, row(5, ["ZF5"]) + row(3, ["ZF3"]))
    with pytest.raises(UploadRefused) as refused:
        _read_rows(path)
    assert "第 3 行排在第 5 行之后" in refused.value.messages[0]


# ------------------------------------------------------------------- the bank's refusal text

def test_a_refused_bank_file_reads_as_one_sentence_without_an_empty_item(tmp_path):
    path = workbook(tmp_path / "回单.xlsx", BANK_HEADER, row(2, ["ZF1", "不是金额", "成功"]) + row(3, ["", "1.00", "成功"]))
    with pytest.raises(Exception) as refused:
        bankfiles.result_lines(path.read_bytes(), "回单.xlsx")
    assert error_text(refused.value) == ("银行回单有误，未做任何处理：第 2 行：金额“不是金额”不是有效金额；"
                                         "第 3 行：缺少参考号")
