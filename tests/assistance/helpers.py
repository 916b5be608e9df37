"""Helpers for the settlement import and screening tests: settlement files written small to
tmp_path (CSV in any encoding, .xlsx), imported through settlement_import_run.
"""
import csv
from pathlib import Path

from assistance.intake.services import settlement_import_create, settlement_import_run
from assistance.models import SettlementImport, SettlementRecord
from tests.fixtures.factories import make_resident_id

YEAR = 2022
HEADER = ["结算编号", "身份证号", "姓名", "户籍地", "参保类型", "人员状态", "结算日期", "医疗机构", "是否省内",
          "医疗总费用", "基本医保支付", "大病保险支付", "医疗救助支付", "个人自付"]


def settlement_row(number, resident_id, *, name="张三", region="330381101000", status="", settled_on="2022-03-05",
                   institution="瑞安市人民医院", in_province="是", total="1000.00", basic="600.00", critical="0.00",
                   assistance="0.00", out_of_pocket="400.00", kind="城乡居民医保") -> list:
    """One row in HEADER order; every keyword can be overridden with the messy form under test."""
    return [number, resident_id, name, region, kind, status, settled_on, institution, in_province, total, basic,
            critical, assistance, out_of_pocket]


def write_csv(path: Path, rows: list[list], *, header: list[str] = HEADER, encoding: str = "utf-8") -> Path:
    with open(path, "w", newline="", encoding=encoding) as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, rows: list[list], *, header: list[str] = HEADER) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def run_import(path: Path, user, *, year: int = YEAR) -> SettlementImport:
    job = settlement_import_create(year=year, file_name=Path(path).name, acting_user=user)
    settlement_import_run(job=job, path=path)
    job.refresh_from_db()
    return job


def errors_of(job) -> set[tuple[int, str, str]]:
    return set(job.errors.values_list("row_number", "column", "reason"))


def rid(seed: int, **kwargs) -> str:
    return make_resident_id(seed, **kwargs)


def import_rows(tmp_path: Path, user, rows: list[list], *, name: str = "settlements.csv", **kwargs) -> SettlementImport:
    """Write rows (HEADER order) to a CSV and import them for YEAR."""
    return run_import(write_csv(tmp_path / name, rows, **kwargs), user)


def only_record(number: str) -> SettlementRecord:
    return SettlementRecord.objects.select_related("person").get(year=YEAR, settlement_no=number)


def resident_id_ending_in_x() -> str:
    return next(number for seed in range(1000) if (number := make_resident_id(seed)).endswith("X"))
