"""The plain-Python reference for an import: rules.parse_row over the file, plus the duplicate rule.

This is what the PostgreSQL loader's set-based SQL must agree with, row for row.
"""
import datetime as dt
from pathlib import Path

from assistance.importing.columns import heading, headings_of, map_header
from assistance.importing.reader import is_xlsx, iter_rows
from assistance.importing.rules import SettlementRow, parse_row


def reference_import(path: Path, *, year: int, today: dt.date
                     ) -> tuple[set[tuple[int, str, str]], dict[str, SettlementRow]]:
    """(row number, column, reason) of every error — the column named by the file's own heading —
    and the rows that load, by settlement number."""
    rows = iter_rows(Path(path))
    header = next(rows)
    positions = map_header(header)
    headings = headings_of(header, positions)
    width = len(header)
    pad = is_xlsx(Path(path))
    errors: set[tuple[int, str, str]] = set()
    loaded: dict[str, SettlementRow] = {}
    first_line: dict[str, int] = {}
    for index, cells in enumerate(rows, start=1):
        line = index + 1
        if not any(str(cell).strip() for cell in cells):
            continue  # a blank line or an empty spreadsheet row is not a row
        if len(cells) != width:
            if not (pad and len(cells) < width):
                errors.add((line, "", f"列数不对：表头有 {width} 列，此行 {len(cells)} 列"))
                continue
            cells = [*cells, *[""] * (width - len(cells))]
        values = {key: cells[position] for key, position in positions.items()}
        row, problems = parse_row(values, row_number=line, year=year, today=today)
        if row is not None and row.settlement_no in first_line:
            problems = [("settlement_no", f"结算编号 {row.settlement_no} 与第 {first_line[row.settlement_no]} 行重复")]
            row = None
        if row is None:
            errors.update((line, heading(key, headings), reason[:200]) for key, reason in problems)
            continue
        first_line[row.settlement_no] = line
        loaded[row.settlement_no] = row
    return errors, loaded


def person_values(row: SettlementRow, resolver) -> tuple:
    """What a loaded row says about its person, as InsuredPerson fields (see snapshot_people)."""
    region = resolver.resolve(row.household_region)
    return (row.name, getattr(region, "pk", None), row.household_region[:100], region is not None,
            row.insured_kind)


def settlement_values(row: SettlementRow) -> tuple:
    """A loaded row as SettlementRecord fields (see snapshot_settlements)."""
    return (row.resident_id, row.settled_on, row.institution, row.in_province, row.total_cost, row.fund_basic,
            row.fund_critical, row.fund_assistance, row.out_of_pocket)


def snapshot_settlements(year: int) -> dict[str, tuple]:
    from assistance.models import SettlementRecord

    return {number: tuple(values) for number, *values in SettlementRecord.objects.filter(year=year).values_list(
        "settlement_no", "person__resident_id", "settled_on", "institution", "in_province", "total_cost",
        "fund_basic", "fund_critical", "fund_assistance", "out_of_pocket")}


def snapshot_people() -> dict[str, tuple]:
    from assistance.models import InsuredPerson

    return {resident_id: tuple(values) for resident_id, *values in InsuredPerson.objects.values_list(
        "resident_id", "name", "region_id", "household_region_text", "is_local", "insured_kind", "is_deceased",
        "moved_away", "sex", "birth_date")}


def snapshot_errors(job) -> set[tuple[int, str, str]]:
    return set(job.errors.values_list("row_number", "column", "reason"))
