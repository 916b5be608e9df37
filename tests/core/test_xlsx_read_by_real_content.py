"""Every .xlsx reader is bounded by what a sheet holds, not by the size it declares: a 1.6 KB file
declaring <dimension ref="A1:XFD1048576"/> (16,384 columns × 1,048,576 rows) once cost 2.8 GB for
a bank result file, 576 MB and a 5.4 MB error page for a donation import, and about 20 minutes of
CPU for a settlement import. Rows are as wide as the header, row numbers past a file's limit are
refused before openpyxl reads anything, and memory is measured in a real process."""
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from assistance.payouts import bankfiles
from assistance.importing.reader import iter_rows
from donations.resources import CheckedXLSX
from fundportal.uploads import (MAX_CELL_CHARS, MAX_COLUMNS, MAX_ROW_BYTES, MAX_ROW_CELLS, SETTLEMENT_XLSX, SMALL_XLSX, UploadRefused, sheet_rows,
                                xlsx_check)
from tests.assistance.helpers import HEADER as SETTLEMENT_HEADER
from tests.assistance.helpers import YEAR, settlement_row
from tests.core.xlsx_bombs import MEMORY_BOUND_MB, PEAK_MB, run_measured

_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
_XML = "application/vnd.openxmlformats-officedocument.spreadsheetml"

BANK_HEADER = ["参考号", "金额", "结果", "说明"]
DONATION_HEADER = ["捐赠方", "证件号码", "单位类别", "金额", "到账日期", "捐赠方式", "银行流水号", "募捐活动", "捐赠人数", "备注"]


def _cell(ref: str, value) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'


def _row(number: int, values: list, *, far_cell: bool = False) -> str:
    cells = "".join(_cell(f"{get_column_letter(i + 1)}{number}", v) for i, v in enumerate(values))
    if far_cell:
        cells += _cell(f"XFD{number}", "最右一列")  # column 16,384: Excel's last
    return f'<row r="{number}">{cells}</row>'


def declared_grid(path: Path, header: list, *, far_row: int | None = None, far_values: list = (),
                  dimension: str | None = "A1:XFD1048576", rows_xml: str = "") -> Path:
    """An .xlsx of a header (and one row at `far_row`, with a stray cell in column XFD) that
    declares `dimension`: the probe's file, about 1.6 KB."""
    body = _row(1, header) + rows_xml
    if far_row:
        body += _row(far_row, list(far_values), far_cell=True)
    sheet = (f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_NS}">'
             + (f'<dimension ref="{dimension}"/>' if dimension else "") + f"<sheetData>{body}</sheetData></worksheet>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("[Content_Types].xml", (
            f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{_CT}">'
            f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            f'<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{_XML}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_XML}.worksheet+xml"/></Types>'))
        book.writestr("_rels/.rels", (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PKG}">'
            f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'))
        book.writestr("xl/workbook.xml", (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{_NS}" xmlns:r="{_REL}">'
            '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'))
        book.writestr("xl/_rels/workbook.xml.rels", (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PKG}">'
            f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'))
        book.writestr("xl/worksheets/sheet1.xml", sheet)
    return path


def _sheet_rows(path: Path, limits=SETTLEMENT_XLSX) -> list[tuple[int, tuple]]:
    book = load_workbook(path, read_only=True, data_only=True)
    try:
        return list(sheet_rows(book.worksheets[0], limits))
    finally:
        book.close()


# ----------------------------------------------------------------------- the rules, one by one

def test_a_declared_dimension_is_ignored_and_rows_are_as_wide_as_the_header(tmp_path):
    path = declared_grid(tmp_path / "grid.xlsx", BANK_HEADER, far_row=3000, far_values=["ZF1-0001"])
    assert path.stat().st_size < 2000
    rows = _sheet_rows(path)
    assert rows[0] == (1, tuple(BANK_HEADER))
    # The 2,998 rows the file does not hold cost nothing; the row keeps its number in the file.
    assert rows[1:] == [(3000, ("ZF1-0001", None, None, None))], "the stray cell in column XFD is cut off"


def test_a_header_only_sheet_declaring_the_whole_grid_is_one_row(tmp_path):
    assert _sheet_rows(declared_grid(tmp_path / "grid.xlsx", BANK_HEADER)) == [(1, tuple(BANK_HEADER))]


def test_a_header_wider_than_the_column_limit_is_refused(tmp_path):
    path = declared_grid(tmp_path / "wide.xlsx", [f"列{i}" for i in range(MAX_COLUMNS + 1)])
    with pytest.raises(UploadRefused) as refused:
        _sheet_rows(path)
    assert f"超过上限 {MAX_COLUMNS} 列" in refused.value.messages[0]


@pytest.mark.parametrize("dimension", ["A1:XFD1048576", None])
def test_a_row_numbered_past_a_small_files_limit_is_refused_before_openpyxl(tmp_path, dimension):
    path = declared_grid(tmp_path / "far.xlsx", BANK_HEADER, far_row=SMALL_XLSX.max_row + 1, far_values=["x"],
                         dimension=dimension)
    with pytest.raises(UploadRefused) as refused:
        xlsx_check(path, SMALL_XLSX)
    assert "超过上限 100,000 行" in refused.value.messages[0]
    xlsx_check(declared_grid(tmp_path / "near.xlsx", BANK_HEADER, far_row=SMALL_XLSX.max_row, far_values=["x"]),
               SMALL_XLSX)


def test_a_row_numbered_past_excels_last_row_is_refused_for_a_settlement_file(tmp_path):
    path = declared_grid(tmp_path / "far.xlsx", SETTLEMENT_HEADER, far_row=1_048_577, far_values=["x"])
    with pytest.raises(UploadRefused) as refused:
        xlsx_check(path, SETTLEMENT_XLSX)
    assert "1,048,577" in refused.value.messages[0]
    xlsx_check(declared_grid(tmp_path / "last.xlsx", SETTLEMENT_HEADER, far_row=1_048_576, far_values=["x"]),
               SETTLEMENT_XLSX)


def test_rows_without_numbers_are_counted_from_the_last_one(tmp_path):
    rows_xml = '<row r="99999"><c r="A99999" t="inlineStr"><is><t>x</t></is></c></row>' + "<row><c/></row>" * 2
    with pytest.raises(UploadRefused):
        xlsx_check(declared_grid(tmp_path / "counted.xlsx", BANK_HEADER, rows_xml=rows_xml), SMALL_XLSX)


def test_a_row_of_more_cells_than_excel_has_columns_is_refused(tmp_path):
    # Tiny cells without references: well under the row's byte limit, yet each one a dict in openpyxl.
    rows_xml = '<row r="2">' + "<c/>" * (MAX_ROW_CELLS + 1) + "</row>"
    with pytest.raises(UploadRefused) as refused:
        xlsx_check(declared_grid(tmp_path / "cells.xlsx", BANK_HEADER, rows_xml=rows_xml), SMALL_XLSX)
    assert "16,384 个单元格" in refused.value.messages[0]
    fits = '<row r="2">' + "<c/>" * MAX_ROW_CELLS + "</row>"
    xlsx_check(declared_grid(tmp_path / "fits.xlsx", BANK_HEADER, rows_xml=fits), SMALL_XLSX)


def test_a_row_of_few_cells_but_more_bytes_than_the_row_limit_is_refused(tmp_path):
    cell = "<c><is><t>" + "A" * MAX_CELL_CHARS + "</t></is></c>"
    rows_xml = '<row r="2">' + cell * (MAX_ROW_BYTES // len(cell) + 1) + "</row>"
    with pytest.raises(UploadRefused) as refused:
        xlsx_check(declared_grid(tmp_path / "long.xlsx", BANK_HEADER, rows_xml=rows_xml), SMALL_XLSX)
    assert "有一行的数据超过 8.0" in refused.value.messages[0]


# ------------------------------------------------------------------ each reader, in process

def test_the_bank_reader_streams_rows_as_wide_as_the_header(tmp_path, monkeypatch):
    path = declared_grid(tmp_path / "回单.xlsx", BANK_HEADER, far_row=3000, far_values=["ZF1-0001", "10.00", "成功"])
    widths = []
    real_rows = bankfiles._xlsx_rows

    def watched(content):
        for number, row in real_rows(content):
            widths.append(len(row))
            yield number, row

    monkeypatch.setattr(bankfiles, "_xlsx_rows", watched)
    lines = bankfiles.result_lines(path.read_bytes(), "回单.xlsx")
    assert [line["line"] for line in lines] == [3000]
    assert widths == [4, 4]  # CPU bound: the two rows the file holds, 4 cells each, not 3,000 × 16,384
    assert not isinstance(bankfiles._rows(path.read_bytes(), "回单.xlsx"), list)


def test_the_bank_reader_shows_the_first_problems_and_counts_the_rest(tmp_path):
    rows_xml = "".join(_row(n, [f"ZF-{n}", "不是金额", "成功"]) for n in range(2, 202))
    path = declared_grid(tmp_path / "回单.xlsx", BANK_HEADER, rows_xml=rows_xml)
    with pytest.raises(Exception) as refused:
        bankfiles.result_lines(path.read_bytes(), "回单.xlsx")
    [message] = refused.value.messages  # one sentence: no empty item after the colon when joined
    assert message.startswith("银行回单有误，未做任何处理：第 2 行：金额“不是金额”不是有效金额；第 3 行：")
    assert message.count("不是有效金额") == bankfiles.MAX_PROBLEMS_SHOWN
    assert message.endswith("；……共 200 处错误，仅列出前 50 处")


def test_the_donation_reader_reads_the_real_rows_and_leaves_blank_ones_out(tmp_path):
    path = declared_grid(tmp_path / "捐赠.xlsx", DONATION_HEADER, far_row=3000,
                         far_values=["", "", "", "100", "2023-07-05", "现金"])
    dataset = CheckedXLSX().create_dataset(path.read_bytes())
    assert dataset.headers == DONATION_HEADER
    assert dataset.height == 1 and len(dataset[0]) == len(DONATION_HEADER)


def test_the_settlement_reader_yields_rows_as_wide_as_the_header(tmp_path):
    path = declared_grid(tmp_path / "year.xlsx", SETTLEMENT_HEADER, far_row=3000,
                         far_values=settlement_row("JS1", "330381199001011234"))
    rows = list(iter_rows(path))
    # The loaders number rows by place: a row the file does not hold is an empty list, nothing padded.
    assert len(rows) == 3000 and {len(row) for row in rows if row} == {len(SETTLEMENT_HEADER)}
    assert [number for number, row in enumerate(rows, start=1) if row] == [1, 3000]


# ------------------------------------------------------------------- memory, in a real process

_SMALL_READERS = PEAK_MB + """
import sys
import django
django.setup()
from assistance.payouts import bankfiles
from donations.resources import CheckedXLSX
for name in sys.argv[1:]:
    content = open(name, "rb").read()
    for read in (lambda: bankfiles.result_lines(content, "回单.xlsx"), lambda: CheckedXLSX().create_dataset(content)):
        try:
            read()
            print("READ")
        except Exception as exc:
            print("REFUSED " + type(exc).__name__)
print("MAXRSS " + str(_peak_mb()))
"""

_SETTLEMENT_COMMAND = PEAK_MB + """
import sys
from django.core.management import execute_from_command_line
try:
    execute_from_command_line(["manage.py", *sys.argv[1:]])
except SystemExit:
    pass
print("MAXRSS " + str(_peak_mb()))
"""


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_bank_and_donation_readers_read_a_declared_grid_in_bounded_memory(tmp_path):
    files = [
        declared_grid(tmp_path / "bank.xlsx", BANK_HEADER, far_row=1_048_576, far_values=["x"]),  # refused
        declared_grid(tmp_path / "don.xlsx", DONATION_HEADER, far_row=1_048_576, far_values=["x"]),  # refused
        declared_grid(tmp_path / "bank-near.xlsx", BANK_HEADER, far_row=SMALL_XLSX.max_row,
                      far_values=["ZF1-0001", "10.00", "成功"]),  # read: 100,000 rows of 4 cells
        declared_grid(tmp_path / "don-near.xlsx", DONATION_HEADER, far_row=SMALL_XLSX.max_row,
                      far_values=["", "", "", "100", "2023-07-05", "现金"]),
    ]
    output, peak_mb, _seconds = run_measured(_SMALL_READERS, *map(str, files))
    assert output.count("REFUSED UploadRefused") == 4, output[-2000:]
    assert output.count("READ\n") + output.count("REFUSED ValidationError") == 4, output[-2000:]
    assert peak_mb < MEMORY_BOUND_MB, f"peak {peak_mb} MB"


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_settlement_command_reads_a_declared_grid_in_bounded_memory(tmp_path, msb):
    from assistance.models import SettlementImport

    # A settlement file may use every row Excel has: the million empty rows are read, each 14 cells wide.
    path = declared_grid(tmp_path / "year.xlsx", SETTLEMENT_HEADER, far_row=1_048_576,
                         far_values=settlement_row("JS1", "330381199001011234"))
    output, peak_mb, _seconds = run_measured(_SETTLEMENT_COMMAND, "import_settlements", str(path), "--year",
                                             str(YEAR), "--user", msb.username)
    assert peak_mb < MEMORY_BOUND_MB, f"peak {peak_mb} MB\n{output[-2000:]}"
    job = SettlementImport.objects.get()
    assert job.state == SettlementImport.State.DONE, job.message
    assert job.rows_total == 1
