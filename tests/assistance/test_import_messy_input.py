"""The spreadsheet mess offices really send (DESIGN.md, cross-cutting requirements): each form is
read to the clean value, through settlement_import_run on PostgreSQL, with no row rejected."""
import datetime as dt
from decimal import Decimal

import pytest

from assistance.models import InsuredPerson, SettlementRecord
from tests.assistance.helpers import (YEAR, import_rows, only_record, resident_id_ending_in_x, rid,
                                       run_import, settlement_row, write_csv, write_xlsx)

pytestmark = pytest.mark.django_db

FULL_WIDTH = str.maketrans("0123456789.,X", "０１２３４５６７８９．，Ｘ")


def _loaded_cleanly(job, rows: int = 1):
    assert job.state == job.State.DONE, job.message
    assert list(job.errors.values_list("row_number", "column", "reason")) == []
    assert (job.rows_imported, job.rows_rejected) == (rows, 0)


def test_full_width_digits_in_the_id_number_are_read_as_half_width(tmp_path, regions, importer):
    number = rid(1)
    job = import_rows(tmp_path, importer, [settlement_row("JS1", number.translate(FULL_WIDTH))])
    _loaded_cleanly(job)
    assert only_record("JS1").person.resident_id == number
    assert InsuredPerson.objects.get().resident_id == number


def test_full_width_digits_in_amounts_are_read_as_half_width(tmp_path, regions, importer):
    job = import_rows(tmp_path, importer, [settlement_row(
        "JS1", rid(1), total="１２３４．５０", basic="８００", critical="０．００", out_of_pocket="４３４．５")])
    _loaded_cleanly(job)
    record = only_record("JS1")
    assert (record.total_cost, record.fund_basic, record.out_of_pocket) == (
        Decimal("1234.50"), Decimal("800.00"), Decimal("434.50"))


def test_stray_spaces_around_and_inside_cells_are_ignored(tmp_path, regions, importer):
    number = rid(1)
    job = import_rows(tmp_path, importer, [settlement_row(
        " JS 1 ", f" {number[:6]} {number[6:14]}　{number[14:]} ", name="  张　三 ", institution=" 瑞安市  人民医院 ",
        settled_on=" 2022-03-05 ", total=" 1000.00 ", basic="600 ", out_of_pocket="\t400.00")])
    _loaded_cleanly(job)
    record = only_record("JS1")
    assert record.person.resident_id == number
    assert record.person.name == "张 三"  # inner runs of white space become one space, as typed
    assert record.institution == "瑞安市 人民医院"
    assert (record.settled_on, record.total_cost, record.out_of_pocket) == (
        dt.date(2022, 3, 5), Decimal("1000.00"), Decimal("400.00"))


def test_amount_with_thousands_separator_is_read(tmp_path, regions, importer):
    job = import_rows(tmp_path, importer, [settlement_row(
        "JS1", rid(1), total="1,234.50", basic="1,000", out_of_pocket="234.50")])
    _loaded_cleanly(job)
    assert only_record("JS1").total_cost == Decimal("1234.50")


def test_amount_with_yuan_suffix_is_read(tmp_path, regions, importer):
    job = import_rows(tmp_path, importer, [settlement_row(
        "JS1", rid(1), total="1234.5元", basic="1000元", out_of_pocket="234.5 元")])
    _loaded_cleanly(job)
    record = only_record("JS1")
    assert (record.total_cost, record.fund_basic, record.out_of_pocket) == (
        Decimal("1234.50"), Decimal("1000.00"), Decimal("234.50"))


def test_date_written_with_slashes_and_no_leading_zeros_is_read(tmp_path, regions, importer):
    job = import_rows(tmp_path, importer, [settlement_row("JS1", rid(1), settled_on="2022/3/5")])
    _loaded_cleanly(job)
    assert only_record("JS1").settled_on == dt.date(2022, 3, 5)


def test_iso_date_is_read(tmp_path, regions, importer):
    job = import_rows(tmp_path, importer, [settlement_row("JS1", rid(1), settled_on="2022-03-05")])
    _loaded_cleanly(job)
    assert only_record("JS1").settled_on == dt.date(2022, 3, 5)


def test_chinese_date_with_year_month_day_characters_is_read(tmp_path, regions, importer):
    job = import_rows(tmp_path, importer, [settlement_row("JS1", rid(1), settled_on="2022年3月5日")])
    _loaded_cleanly(job)
    assert only_record("JS1").settled_on == dt.date(2022, 3, 5)


def test_excel_serial_number_date_is_read(tmp_path, regions, importer):
    serial = (dt.date(2022, 3, 5) - dt.date(1899, 12, 30)).days
    assert serial == 44625  # what Excel shows for 2022-03-05 in a General-formatted cell
    job = import_rows(tmp_path, importer, [settlement_row("JS1", rid(1), settled_on=str(serial)),
                                           settlement_row("JS2", rid(2), settled_on=f"{serial}.0")])
    _loaded_cleanly(job, rows=2)
    assert only_record("JS1").settled_on == only_record("JS2").settled_on == dt.date(2022, 3, 5)


def test_lower_case_x_in_the_id_number_is_upper_cased(tmp_path, regions, importer):
    number = resident_id_ending_in_x()
    job = import_rows(tmp_path, importer, [settlement_row("JS1", number.lower())])
    _loaded_cleanly(job)
    assert only_record("JS1").person.resident_id == number


def test_gbk_encoded_csv_is_read(tmp_path, regions, importer):
    path = write_csv(tmp_path / "gbk.csv", [settlement_row("JS1", rid(1), name="欧阳晓燕", institution="瑞安市中医院",
                                                           region="塘下镇", kind="职工医保")], encoding="gbk")
    assert "欧阳晓燕".encode("gbk") in path.read_bytes()
    job = run_import(path, importer)
    _loaded_cleanly(job)
    record = only_record("JS1")
    assert (record.person.name, record.institution, record.person.insured_kind) == ("欧阳晓燕", "瑞安市中医院", "职工医保")
    assert record.person.region == regions["tangxia"]


def test_utf8_csv_with_byte_order_mark_is_read(tmp_path, regions, importer):
    path = write_csv(tmp_path / "bom.csv", [settlement_row("JS1", rid(1), name="王芳")], encoding="utf-8-sig")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")  # the BOM sits in front of the first header name
    job = run_import(path, importer)
    _loaded_cleanly(job)
    assert only_record("JS1").person.name == "王芳"


def test_xlsx_with_real_date_cells_and_float_amounts_is_read(tmp_path, regions, importer):
    rows = [
        settlement_row("JS1", rid(1), settled_on=dt.datetime(2022, 3, 5, 14, 30), total=1234.5, basic=800.0,
                       critical=0, assistance=None, out_of_pocket=434.5),
        settlement_row("JS2", rid(2), settled_on=dt.date(2022, 12, 31), total=100, basic=60.25, critical=None,
                       assistance=None, out_of_pocket=39.75),
        ["JS3", rid(3), "李四", None, None, None, dt.date(2022, 1, 1), "瑞安市人民医院", None, 10.1, None, None,
         None, 10.1],
        # openpyxl leaves out trailing empty cells; a short row is padded, not "wrong number of cells"
        ["JS4", rid(4), "赵六", "330381102000", None, None, dt.date(2022, 6, 1), "瑞安市中医院", "是", 50, 50, 0, 0, 0],
    ]
    job = run_import(write_xlsx(tmp_path / "year.xlsx", rows), importer)
    _loaded_cleanly(job, rows=4)
    first, second, third = only_record("JS1"), only_record("JS2"), only_record("JS3")
    assert (first.settled_on, first.total_cost, first.fund_basic, first.out_of_pocket) == (
        dt.date(2022, 3, 5), Decimal("1234.50"), Decimal("800.00"), Decimal("434.50"))
    assert (second.settled_on, second.fund_basic, second.fund_critical, second.out_of_pocket) == (
        dt.date(2022, 12, 31), Decimal("60.25"), Decimal("0.00"), Decimal("39.75"))
    assert (third.total_cost, third.out_of_pocket, third.in_province) == (Decimal("10.10"), Decimal("10.10"), True)
    assert only_record("JS4").person.region == regions["mayu"]


@pytest.mark.parametrize("header", [
    ["结算编号", "身份证号", "姓名", "结算日期", "医疗机构", "医疗总费用", "基本医保支付", "个人自付"],
    ["结算单号", "身份证号码", "参保人姓名", "结算时间", "定点医疗机构", "总费用", "统筹支付", "个人自负"],
    ["就诊流水号", "公民身份号码", "姓名", "出院日期", "医疗机构名称", "费用总额", "基本医保", "个人负担"],
    ["结算流水号", "证件号码", "姓名", "结算日期", "就诊机构", "医疗费用总额（元）", "基本医疗保险(元)", "个人自付金额（元）"],
    [" 结算编号 ", "身份证 号", "姓　名", "结算日期", "医疗机构", "医疗总费用 （元）", "基金支付", "个人支付"],
], ids=["standard", "synonyms", "more-synonyms", "yuan-suffix", "spaces"])
def test_chinese_header_names_and_their_synonyms_are_recognised(tmp_path, regions, importer, header):
    path = write_csv(tmp_path / "headers.csv", [["JS1", rid(1), "张三", "2022-03-05", "瑞安市人民医院", "1000", "600", "400"]],
                     header=header)
    job = run_import(path, importer)
    _loaded_cleanly(job)
    record = only_record("JS1")
    assert (record.person.name, record.total_cost, record.fund_basic, record.out_of_pocket) == (
        "张三", Decimal("1000.00"), Decimal("600.00"), Decimal("400.00"))


def test_columns_in_any_order_with_extra_columns_are_read(tmp_path, regions, importer):
    header = ["备注", "个人自付", "医疗总费用", "医疗机构", "结算日期", "姓名", "身份证号", "结算编号", "序号"]
    row = ["门诊", "1000", "1000", "瑞安市人民医院", "2022-03-05", "张三", rid(1), "JS1", "1"]
    path = write_csv(tmp_path / "order.csv", [row], header=header)
    job = run_import(path, importer)
    _loaded_cleanly(job)
    assert only_record("JS1").total_cost == Decimal("1000.00")
    assert only_record("JS1").fund_basic == Decimal("0.00")  # optional fund columns missing: nothing paid


def test_full_width_brackets_and_no_break_spaces_are_normalised_like_the_python_rules(tmp_path, regions, importer):
    job = import_rows(tmp_path, importer, [settlement_row("ＪＳ－１", rid(1), name="\u00a0王五\u00a0",
                                                          institution="瑞安市人民医院（总院）")])
    _loaded_cleanly(job)
    record = only_record("JS-1")
    assert (record.person.name, record.institution) == ("王五", "瑞安市人民医院(总院)")


def test_household_region_given_by_code_or_by_name_resolves_to_the_region_tree(tmp_path, regions, importer):
    rows = [settlement_row("JS1", rid(1), region="330381101201"),      # village code
            settlement_row("JS2", rid(2), region="330381101"),         # 9-digit town code
            settlement_row("JS3", rid(3), region="瑞安市塘下镇韩田村"),  # full name ending in a village
            settlement_row("JS4", rid(4), region="马屿镇"),
            settlement_row("JS5", rid(5), region="330302000000"),      # another city
            settlement_row("JS6", rid(6), region="")]
    job = import_rows(tmp_path, importer, rows)
    _loaded_cleanly(job, rows=6)
    people = {number: only_record(number).person for number in ("JS1", "JS2", "JS3", "JS4", "JS5", "JS6")}
    assert people["JS1"].region == people["JS3"].region == regions["hantian"]
    assert people["JS2"].region == regions["tangxia"]
    assert people["JS4"].region == regions["mayu"]
    assert [people[n].is_local for n in ("JS1", "JS2", "JS3", "JS4", "JS5", "JS6")] == [True] * 4 + [False] * 2
    assert people["JS5"].household_region_text == "330302000000"


def test_out_of_province_and_deceased_flags_are_read_from_their_columns(tmp_path, regions, importer):
    job = import_rows(tmp_path, importer, [settlement_row("JS1", rid(1), in_province=" 省外 ", status="已死亡"),
                                           settlement_row("JS2", rid(2), in_province="是", status="正常参保")])
    _loaded_cleanly(job, rows=2)
    assert (only_record("JS1").in_province, only_record("JS1").person.is_deceased) == (False, True)
    assert (only_record("JS2").in_province, only_record("JS2").person.is_deceased) == (True, False)


@pytest.mark.parametrize("loader", ["postgres", "python"])
def test_a_move_away_is_read_from_the_status_column(tmp_path, regions, importer, loader, monkeypatch):
    if loader == "python":  # the embedded default's loader (SQLite), run here on PostgreSQL
        from assistance.importing import python as python_loader

        monkeypatch.setattr("assistance.intake.services._loader", lambda: python_loader)
    job = import_rows(tmp_path, importer, [settlement_row("JS1", rid(1), status=" 迁出 "),
                                           settlement_row("JS2", rid(2), status="户籍迁出"),
                                           settlement_row("JS3", rid(3), status="正常参保")])
    _loaded_cleanly(job, rows=3)
    people = [only_record(number).person for number in ("JS1", "JS2", "JS3")]
    assert [(p.moved_away, p.is_deceased) for p in people] == [(True, False), (True, False), (False, False)]


def test_person_fields_come_from_the_id_number(tmp_path, regions, importer):
    male = rid(1, birth=dt.date(1950, 1, 2))  # sequence 001: odd, male
    female = rid(2, birth=dt.date(1985, 12, 31))
    job = import_rows(tmp_path, importer, [settlement_row("JS1", male), settlement_row("JS2", female)])
    _loaded_cleanly(job, rows=2)
    assert (only_record("JS1").person.sex, only_record("JS1").person.birth_date) == ("M", dt.date(1950, 1, 2))
    assert (only_record("JS2").person.sex, only_record("JS2").person.birth_date) == ("F", dt.date(1985, 12, 31))
    assert SettlementRecord.objects.filter(year=YEAR).count() == 2
