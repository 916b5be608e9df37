"""Every upload path bounds its memory: an .xlsx is refused by what it unpacks to and by the size of
its cells before any spreadsheet library parses it, a CSV by the length of its lines, each with a
Chinese message naming the limit. The memory is measured in a real process, as the command line
and a worker run it: a 300 KB file holding one 300 MB cell once cost 4.7 GB and 13 s."""
import time
import zipfile
from pathlib import Path

import pytest

from assistance.payouts import bankfiles
from donations.resources import CheckedXLSX
from fundportal.uploads import MAX_CELL_CHARS, SETTLEMENT_XLSX, SMALL_XLSX, UploadRefused, xlsx_check
from tests.core.xlsx_bombs import BANK_ROWS, MEMORY_BOUND_MB, PEAK_MB, bomb, run_measured, write_xlsx



@pytest.fixture
def bombs() -> dict[str, Path]:
    return {kind: bomb(kind) for kind in ("inline cell", "shared string", "huge row")}


# ------------------------------------------------------------------------------- the check itself

@pytest.mark.parametrize("kind", ["inline cell", "shared string"])
def test_a_cell_over_excels_own_limit_is_refused_naming_the_limit(bombs, kind):
    assert bombs[kind].stat().st_size < 400_000  # small on disk
    started = time.monotonic()
    with pytest.raises(UploadRefused) as refused:
        xlsx_check(bombs[kind], SETTLEMENT_XLSX)  # parts up to 2 GB: the cell is what is refused
    assert "32,767 个字符" in refused.value.messages[0]
    assert time.monotonic() - started < 2


@pytest.mark.parametrize("kind", ["inline cell", "shared string"])
def test_small_uploads_are_refused_by_what_a_part_unpacks_to_before_it_is_read(bombs, kind):
    with pytest.raises(UploadRefused) as refused:
        xlsx_check(bombs[kind], SMALL_XLSX)
    assert "解压后为 300.0" in refused.value.messages[0] and "超过上限 64.0" in refused.value.messages[0]


def test_a_row_of_a_million_cells_is_refused(bombs):
    with pytest.raises(UploadRefused) as refused:
        xlsx_check(bombs["huge row"], SMALL_XLSX)
    # Refused by its cells (more than Excel has columns) before its bytes reach MAX_ROW_BYTES.
    assert "有一行超过 16,384 个单元格" in refused.value.messages[0]


@pytest.mark.parametrize("in_shared_strings", [False, True])
def test_a_cell_of_exactly_the_limit_passes_and_one_character_more_does_not(tmp_path, in_shared_strings):
    fits = write_xlsx(tmp_path / "fits.xlsx", [["备注"], ["长" * MAX_CELL_CHARS]], in_shared_strings=in_shared_strings)
    xlsx_check(fits, SMALL_XLSX)
    over = write_xlsx(tmp_path / "over.xlsx", [["备注"], ["A" * (MAX_CELL_CHARS + 1)]],
                      in_shared_strings=in_shared_strings)
    with pytest.raises(UploadRefused):
        xlsx_check(over, SMALL_XLSX)


def test_a_part_declaring_more_than_the_limit_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "big.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book, \
            book.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
        for _ in range(SMALL_XLSX.part_bytes // (1 << 20) + 1):
            sheet.write(b"<row>" + b" " * ((1 << 20) - 5))
    with pytest.raises(UploadRefused) as refused:
        xlsx_check(path, SMALL_XLSX)
    assert "解压后为" in refused.value.messages[0] and "64.0" in refused.value.messages[0]


def test_an_entity_declaration_is_refused(tmp_path):
    path = tmp_path / "laughs.xlsx"
    with zipfile.ZipFile(path, "w") as book:
        book.writestr("xl/sharedStrings.xml", '<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY a "aaaaaaaaaa">'
                                              '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><sst><si><t>&b;</t></si></sst>')
    with pytest.raises(UploadRefused) as refused:
        xlsx_check(path, SMALL_XLSX)
    assert "DOCTYPE" in refused.value.messages[0]


def test_a_broken_zip_is_refused_in_chinese(tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    with pytest.raises(UploadRefused) as refused:
        xlsx_check(path, SMALL_XLSX)
    assert "请确认文件未损坏" in refused.value.messages[0]


def test_an_ordinary_workbook_passes_and_is_read(tmp_path):
    path = write_xlsx(tmp_path / "ok.xlsx", BANK_ROWS, in_shared_strings=True)
    xlsx_check(path, SMALL_XLSX)
    assert bankfiles.result_lines(path.read_bytes(), "回单.xlsx")[0]["reference"] == "ZF1-0001"


# --------------------------------------------------------------------- each upload path, in process

@pytest.mark.parametrize("kind", ["inline cell", "shared string", "huge row"])
def test_a_bank_result_bomb_is_refused_in_chinese(bombs, kind):
    with pytest.raises(UploadRefused) as refused:
        bankfiles.result_lines(bombs[kind].read_bytes(), "回单.xlsx")
    assert "超过" in refused.value.messages[0]


def test_a_bank_result_bomb_named_csv_is_still_checked(bombs):
    with pytest.raises(UploadRefused):
        bankfiles.result_lines(bombs["inline cell"].read_bytes(), "回单.csv")


def test_a_bank_result_csv_with_a_huge_cell_is_a_chinese_refusal():
    content = ("参考号,金额,结果\n\"" + "A" * 200_000 + "\",1.00,成功\n").encode()
    with pytest.raises(Exception) as refused:
        bankfiles.result_lines(content, "回单.csv")
    assert "单元格过长" in str(refused.value)


def test_a_donation_import_bomb_is_refused_before_openpyxl(bombs):
    with pytest.raises(UploadRefused):
        CheckedXLSX().create_dataset(bombs["shared string"].read_bytes())


# ------------------------------------------------------------------- memory, in a real process

_READERS = PEAK_MB + """
import sys
import django
django.setup()
from assistance.payouts import bankfiles
from donations.resources import CheckedXLSX
content = open(sys.argv[1], "rb").read()
for read in (lambda: bankfiles.result_lines(content, "回单.xlsx"), lambda: CheckedXLSX().create_dataset(content)):
    try:
        read()
        print("READ")
    except Exception as exc:
        print("REFUSED " + type(exc).__name__)
print("MAXRSS " + str(_peak_mb()))
"""


@pytest.mark.parametrize("kind", ["inline cell", "shared string", "huge row"])
def test_the_bank_and_donation_readers_refuse_a_bomb_in_bounded_memory(bombs, kind):
    output, peak_mb, _seconds = run_measured(_READERS, str(bombs[kind]))
    assert output.count("REFUSED UploadRefused") == 2, output[-2000:]
    assert peak_mb < MEMORY_BOUND_MB, f"peak {peak_mb} MB"
