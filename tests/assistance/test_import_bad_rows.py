"""Bad rows are reported with their row number (the header is row 1), column and a Chinese reason;
the valid rows of the same file are loaded; a file that cannot be read fails as a whole and writes
nothing."""
import datetime as dt
from decimal import Decimal

import pytest

from assistance.models import InsuredPerson, SettlementImport, SettlementImportError, SettlementRecord
from tests.assistance.helpers import (HEADER, YEAR, errors_of, import_rows, only_record, rid, run_import,
                                       settlement_row, write_csv, write_xlsx)

pytestmark = pytest.mark.django_db


def _numbers() -> set[str]:
    return set(SettlementRecord.objects.values_list("settlement_no", flat=True))


def test_each_bad_row_is_reported_with_row_column_and_reason_and_the_valid_rows_load(tmp_path, regions, importer):
    job = import_rows(tmp_path, importer, [
        settlement_row("JS1", rid(1)),
        settlement_row("JS2", rid(2), total="一千", name=""),
        settlement_row("JS3", rid(3)),
        settlement_row("JS4", rid(4), settled_on="三月五日"),
        settlement_row("", rid(5), institution=" "),
        settlement_row("JS6", rid(6), total="1000.005"),
    ])
    assert job.state == SettlementImport.State.DONE
    assert errors_of(job) == {
        (3, "医疗总费用", "金额“一千”不是有效数字"),
        (3, "姓名", "姓名为空"),
        (5, "结算日期", "无法识别的日期“三月五日”，请写成 2023-03-05 或 2023/3/5"),
        (6, "结算编号", "结算编号为空"),
        (6, "医疗机构", "医疗机构为空"),
        (7, "医疗总费用", "金额“1000.005”超过两位小数"),
    }
    assert (job.rows_total, job.rows_imported, job.rows_rejected) == (6, 2, 4)
    assert _numbers() == {"JS1", "JS3"}
    assert "导入 2 行，错误 4 行" in job.message


def test_a_row_with_a_bad_id_number_never_creates_a_person(tmp_path, regions, importer):
    good = rid(1)
    wrong_check = good[:17] + ("0" if good[17] != "0" else "1")
    job = import_rows(tmp_path, importer, [
        settlement_row("JS1", wrong_check, name="错号"),
        settlement_row("JS2", "33038119680230001X", name="无此日"),
        settlement_row("JS3", good[:17], name="短号"),
        settlement_row("JS4", good, name="正确"),
    ])
    assert errors_of(job) == {
        (2, "身份证号", "身份证号码校验位错误，请核对"),
        (3, "身份证号", "身份证号码中的出生日期 19680230 不存在"),
        (4, "身份证号", "身份证号码应为18位，当前为17位"),
    }
    assert list(InsuredPerson.objects.values_list("resident_id", "name")) == [(good, "正确")]
    assert job.people_created == 1


def test_out_of_pocket_may_differ_from_total_minus_fund_paid_by_one_fen_but_not_two(tmp_path, regions, importer):
    job = import_rows(tmp_path, importer, [
        settlement_row("EXACT", rid(1), total="1000.00", basic="500.00", critical="100.00", assistance="50.00",
                       out_of_pocket="350.00"),
        settlement_row("UP1", rid(2), total="1000.00", basic="600.00", out_of_pocket="400.01"),
        settlement_row("DOWN1", rid(3), total="1000.00", basic="600.00", out_of_pocket="399.99"),
        settlement_row("UP2", rid(4), total="1000.00", basic="600.00", out_of_pocket="400.02"),
        settlement_row("DOWN2", rid(5), total="1000.00", basic="500.00", critical="100.00", assistance="0.02",
                       out_of_pocket="400.00"),
    ])
    assert errors_of(job) == {
        (5, "个人自付", "个人自付 400.02 不等于总费用 1000.00 减基金支付 600.00"),
        (6, "个人自付", "个人自付 400.00 不等于总费用 1000.00 减基金支付 600.02"),
    }
    assert _numbers() == {"EXACT", "UP1", "DOWN1"}
    assert only_record("UP1").out_of_pocket == Decimal("400.01")  # stored as given, never "corrected"


def test_negative_amounts_are_rejected(tmp_path, regions, importer):
    job = import_rows(tmp_path, importer, [
        settlement_row("NEG1", rid(1), total="-1000", basic="-600", out_of_pocket="-400"),
        settlement_row("NEG2", rid(2), total="1000", basic="1200", out_of_pocket="-200"),
        settlement_row("ZERO", rid(3), total="0", basic="0", out_of_pocket="-0"),
    ])
    assert errors_of(job) == {
        (2, "医疗总费用", "金额不能为负数"), (2, "基本医保支付", "金额不能为负数"), (2, "个人自付", "金额不能为负数"),
        (3, "个人自付", "金额不能为负数"),
    }
    assert only_record("ZERO").out_of_pocket == Decimal("0.00")


def test_settlement_dates_in_the_future_are_rejected(tmp_path, regions, importer, today):
    job = import_rows(tmp_path, importer, [
        settlement_row("FUTURE", rid(1), settled_on=(today + dt.timedelta(days=1)).isoformat()),
        settlement_row("FAR", rid(2), settled_on="2099/1/1"),
        settlement_row("OK", rid(3)),
    ])
    assert errors_of(job) == {(2, "结算日期", "结算日期晚于今天"), (3, "结算日期", "结算日期晚于今天")}
    assert _numbers() == {"OK"}


def test_settlement_dates_outside_the_declared_year_are_rejected(tmp_path, regions, importer):
    job = import_rows(tmp_path, importer, [
        settlement_row("BEFORE", rid(1), settled_on="2021-12-31"),
        settlement_row("FIRST", rid(2), settled_on="2022-01-01"),
        settlement_row("LAST", rid(3), settled_on="2022年12月31日"),
        settlement_row("AFTER", rid(4), settled_on="20230101"),
        settlement_row("NODAY", rid(5), settled_on="2022/2/29"),
    ])
    assert errors_of(job) == {
        (2, "结算日期", f"结算日期不在申报年度 {YEAR} 年内"),
        (5, "结算日期", f"结算日期不在申报年度 {YEAR} 年内"),
        (6, "结算日期", "日期“2022/2/29”不存在"),
    }
    assert _numbers() == {"FIRST", "LAST"}


def test_a_settlement_number_repeated_in_the_file_loads_the_first_row_and_reports_the_others(
        tmp_path, regions, importer):
    job = import_rows(tmp_path, importer, [
        settlement_row("JS1", rid(1), total="1000", basic="600", out_of_pocket="400"),
        settlement_row("JS2", rid(2)),
        settlement_row("JS1", rid(3), total="2000", basic="600", out_of_pocket="1400"),
        settlement_row(" ＪＳ１ ", rid(1)),  # the same number once normalised
    ])
    assert errors_of(job) == {(4, "结算编号", "结算编号 JS1 与第 2 行重复"),
                              (5, "结算编号", "结算编号 JS1 与第 2 行重复")}
    record = only_record("JS1")
    assert (record.person.resident_id, record.total_cost) == (rid(1), Decimal("1000.00"))
    assert (job.rows_imported, job.rows_rejected) == (2, 2)
    assert not InsuredPerson.objects.filter(resident_id=rid(3)).exists()  # only a rejected row named them


def test_the_first_valid_row_of_a_repeated_number_wins_over_an_earlier_invalid_one(tmp_path, regions, importer):
    job = import_rows(tmp_path, importer, [
        settlement_row("JS1", rid(1), total="abc"),
        settlement_row("JS1", rid(2)),
        settlement_row("JS1", rid(3)),
    ])
    assert errors_of(job) == {(2, "医疗总费用", "金额“abc”不是有效数字"),
                              (4, "结算编号", "结算编号 JS1 与第 3 行重复")}
    assert only_record("JS1").person.resident_id == rid(2)


def test_a_file_missing_a_required_column_fails_with_a_chinese_message_and_writes_nothing(tmp_path, regions, importer):
    header = [name for name in HEADER if name not in ("身份证号", "个人自付")]
    rows = [[cell for name, cell in zip(HEADER, settlement_row("JS1", rid(1))) if name in header]]
    job = run_import(write_csv(tmp_path / "missing.csv", rows, header=header), importer)
    assert job.state == SettlementImport.State.FAILED
    assert job.message == "文件缺少必需的列：身份证号、个人自付（第一行应为表头）"
    assert (InsuredPerson.objects.count(), SettlementRecord.objects.count(), SettlementImportError.objects.count()) == (
        0, 0, 0)
    assert job.finished_at is not None


def test_an_empty_file_fails_with_a_chinese_message(tmp_path, regions, importer):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    job = run_import(path, importer)
    assert job.state == SettlementImport.State.FAILED
    assert job.message.startswith("文件缺少必需的列：结算编号、身份证号、姓名")


def test_a_broken_xlsx_fails_with_a_chinese_message(tmp_path, regions, importer):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"not really a workbook" * 50)
    job = run_import(path, importer)
    assert job.state == SettlementImport.State.FAILED
    assert job.message == "无法读取 .xlsx 文件，请确认文件未损坏"


def test_a_csv_in_no_known_encoding_fails_with_a_chinese_message_and_writes_nothing(tmp_path, regions, importer):
    path = write_csv(tmp_path / "bytes.csv", [settlement_row("JS1", rid(1), name="王五")], encoding="gbk")
    path.write_bytes(path.read_bytes() + b"JS2,\x80\xff\n")  # not GBK/GB18030, not UTF-8
    job = run_import(path, importer)
    assert job.state == SettlementImport.State.FAILED
    assert job.message == "文件编码无法识别：请保存为 UTF-8 或 GBK 编码的 CSV，或 .xlsx"
    assert SettlementRecord.objects.count() == 0


def test_a_csv_row_with_the_wrong_number_of_cells_is_reported_and_the_rest_load(tmp_path, regions, importer):
    path = write_csv(tmp_path / "ragged.csv", [
        settlement_row("JS1", rid(1)),
        settlement_row("JS2", rid(2))[:-3],
        settlement_row("JS3", rid(3)),
        [*settlement_row("JS4", rid(4)), "多余"],
        settlement_row("JS5", rid(5)),
    ])
    job = run_import(path, importer)
    assert job.state == SettlementImport.State.DONE
    assert errors_of(job) == {(3, "", "列数不对：表头有 14 列，此行 11 列"), (5, "", "列数不对：表头有 14 列，此行 15 列")}
    assert _numbers() == {"JS1", "JS3", "JS5"}
    assert (job.rows_total, job.rows_imported, job.rows_rejected) == (5, 3, 2)


def test_blank_lines_and_empty_spreadsheet_rows_are_not_rows(tmp_path, regions, importer):
    path = write_csv(tmp_path / "blank.csv", [settlement_row("JS1", rid(1)), [], [""] * 14, [" "] * 14,
                                              settlement_row("JS5", rid(5))])
    job = run_import(path, importer)
    assert (job.rows_total, job.rows_imported, job.rows_rejected) == (2, 2, 0)
    assert errors_of(job) == set()

    book = write_xlsx(tmp_path / "blank.xlsx", [settlement_row("JS6", rid(6)), [None] * 14, [None, "  "],
                                                settlement_row("JS9", rid(9), total="x")])
    job = run_import(book, importer)
    assert (job.rows_total, job.rows_imported, job.rows_rejected) == (2, 1, 1)
    assert errors_of(job) == {(5, "医疗总费用", "金额“x”不是有效数字")}  # row numbers still count the blank rows


def test_quoted_cells_with_commas_and_line_breaks_are_one_cell(tmp_path, regions, importer):
    job = import_rows(tmp_path, importer, [
        settlement_row("JS1", rid(1), institution="瑞安市人民医院,\n住院部", total="1,000.00", out_of_pocket="400"),
        settlement_row("JS2", rid(2), total="x"),
    ])
    assert only_record("JS1").institution == "瑞安市人民医院, 住院部"
    assert errors_of(job) == {(3, "医疗总费用", "金额“x”不是有效数字")}  # record number, as spreadsheets count rows


def test_a_reason_quoting_a_value_with_a_vertical_bar_is_kept_whole(tmp_path, regions, importer):
    job = import_rows(tmp_path, importer, [settlement_row("JS1", rid(1), total="12|3")])
    assert errors_of(job) == {(2, "医疗总费用", "金额“12|3”不是有效数字")}


def test_amounts_too_large_for_the_table_are_rejected_but_leading_zeros_are_not_too_large(tmp_path, regions, importer):
    job = import_rows(tmp_path, importer, [
        settlement_row("BIG", rid(1), total="1000000000000", basic="0", out_of_pocket="1000000000000"),
        settlement_row("ZEROS", rid(2), total="0000000000001000.00", basic="600", out_of_pocket="400"),
    ])
    assert errors_of(job) == {(2, "医疗总费用", "金额“1000000000000”过大"),
                              (2, "个人自付", "金额“1000000000000”过大")}
    assert only_record("ZEROS").total_cost == Decimal("1000.00")


def test_a_settlement_file_whose_sheet_binds_a_prefix_is_held_to_excels_last_row(tmp_path, regions, importer):
    from tests.core.test_xlsx_read_as_xml import row, workbook

    # <x:row r="50000000">: the probe's set_px50m.xlsx, 1.4 KB, once 68 s of empty rows.
    job = run_import(workbook(tmp_path / "set_px50m.xlsx", HEADER, row(50_000_000, ["JS1"])), importer)
    assert job.state == SettlementImport.State.FAILED
    assert job.message == "该 Excel 文件用到了第 50,000,000 行，超过上限 1,048,576 行：请删去多余的行或拆分文件"
    # Excel's last row is a settlement file's to use: read as the two rows it holds.
    job = run_import(workbook(tmp_path / "set_px.xlsx", HEADER, row(1_048_576, settlement_row("JS1", rid(1)))),
                     importer)
    assert (job.state, job.rows_total, job.rows_imported) == (SettlementImport.State.DONE, 1, 1)
