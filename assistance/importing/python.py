"""The portable path (the embedded SQLite default): rules.py row by row, written in batches.

Same results as the PostgreSQL path, far slower; for demo-sized files. It keeps the settlement
numbers seen in the file in memory (to report repeats), which the PostgreSQL path does not.
"""
import datetime as dt
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from django.db import transaction

from ..intake.models import InsuredPerson, SettlementImportError, SettlementRecord
from .columns import ImportFileError, heading
from .reader import is_xlsx, iter_rows
from .regions import RegionResolver
from .result import LoadResult, empty_month_message, month_bounds, outside_month_message
from .rules import SettlementRow, parse_row

BATCH = 2000
SETTLEMENT_FIELDS = ["person_id", "settled_on", "institution", "in_province", "total_cost", "fund_basic",
                     "fund_critical", "fund_assistance", "out_of_pocket"]


def load(*, job, path: Path, positions: dict[str, int], width: int, year: int, today: dt.date,
         progress: Callable[[str, int], None], headings: dict[str, str] | None = None,
         month: int | None = None) -> LoadResult:
    """A monthly file (`month`) first empties its month of the year, then is merged like any file:
    what the PostgreSQL loader's leaf swap gives (partition.py). Its rows settled in another month
    are rejected."""
    assert transaction.get_connection().in_atomic_block
    if month:
        start, end = month_bounds(year, month)
        SettlementRecord.objects.filter(year=year, settled_on__gte=start, settled_on__lt=end).delete()
    resolver = RegionResolver()
    first_row_of: dict[str, int] = {}
    pending: list[SettlementRow] = []
    total = rejected = imported = created = written = 0
    pad = is_xlsx(path)

    def flush():
        nonlocal imported, created, written
        # A person's later rows overwrite earlier ones, so the file's last row for them wins; a
        # death is never undone by a later row (as in the PostgreSQL loader).
        latest = {row.resident_id: row for row in pending}
        for resident_id in {row.resident_id for row in pending if row.is_deceased}:
            latest[resident_id] = replace(latest[resident_id], is_deceased=True)
        for resident_id in {row.resident_id for row in pending if row.is_moved}:
            latest[resident_id] = replace(latest[resident_id], is_moved=True)
        people, new_people = _write_people(latest, resolver)
        imported += _write_settlements(pending, people, job=job, year=year)
        created += new_people
        written += len(pending)
        pending.clear()

    rows = iter_rows(path)
    next(rows, None)
    for index, cells in enumerate(rows, start=1):
        line = index + 1
        if not any(str(cell).strip() for cell in cells):
            continue  # a blank line (or an empty spreadsheet row) is not a row
        if len(cells) != width:
            if not (pad and len(cells) < width):
                total += 1
                rejected += 1
                _errors(job, [(line, "", f"列数不对：表头有 {width} 列，此行 {len(cells)} 列")], headings)
                continue
            cells = [*cells, *[""] * (width - len(cells))]
        total += 1
        values = {key: cells[position] for key, position in positions.items()}
        row, problems = parse_row(values, row_number=line, year=year, today=today)
        if row is not None and month and row.settled_on.month != month:
            problems, row = [("settled_on", outside_month_message(year, month))], None
        if row is not None and row.settlement_no in first_row_of:
            problems = [("settlement_no", f"结算编号 {row.settlement_no} 与第 {first_row_of[row.settlement_no]} 行重复")]
            row = None
        if row is None:
            rejected += 1
            _errors(job, [(line, column, reason) for column, reason in problems], headings)
            continue
        first_row_of[row.settlement_no] = line
        pending.append(row)
        if len(pending) >= BATCH:
            flush()
            progress("写入结算记录", index)
    flush()
    if month and not written:  # the month emptied above is put back by the caller's rollback
        raise ImportFileError(empty_month_message(year, month, total))
    return LoadResult(rows_total=total, rows_rejected=rejected, rows_imported=imported,
                      rows_unchanged=written - imported, people_created=created)


def _errors(job, problems: list[tuple[int, str, str]], headings: dict[str, str] | None) -> None:
    """(line, column key, reason) → error rows naming the column by the file's own heading."""
    SettlementImportError.objects.bulk_create(
        SettlementImportError(job=job, row_number=line, column=heading(key, headings), reason=reason[:200])
        for line, key, reason in problems)


def _write_people(latest: dict[str, SettlementRow], resolver: RegionResolver
                  ) -> tuple[dict[str, InsuredPerson], int]:
    people: dict[str, InsuredPerson] = {}
    created = 0
    ids = list(latest)
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        existing = InsuredPerson.objects.in_bulk(chunk, field_name="resident_id")
        new, changed = [], []
        for resident_id in chunk:
            row = latest[resident_id]
            region = resolver.resolve(row.household_region)
            # region_id, not region: comparing the relation would load each person's region (a query each).
            fields = {"name": row.name, "region_id": getattr(region, "pk", None),
                      "household_region_text": row.household_region[:100], "is_local": region is not None,
                      "insured_kind": row.insured_kind}
            person = existing.get(resident_id)
            if person is None:
                person = InsuredPerson(
                    resident_id=resident_id, sex="M" if int(resident_id[16]) % 2 else "F",
                    birth_date=dt.date(int(resident_id[6:10]), int(resident_id[10:12]), int(resident_id[12:14])),
                    is_deceased=row.is_deceased, moved_away=row.is_moved, **fields)
                new.append(person)
            else:
                fields["is_deceased"] = person.is_deceased or row.is_deceased
                fields["moved_away"] = person.moved_away or row.is_moved
                if any(getattr(person, key) != value for key, value in fields.items()):
                    for key, value in fields.items():
                        setattr(person, key, value)
                    changed.append(person)
            people[resident_id] = person
        # ignore_conflicts: a clerk may have just registered one of them (assistance.intake.services);
        # a unique violation would fail the import and name the ID number in the log.
        InsuredPerson.objects.bulk_create(new, ignore_conflicts=True)
        InsuredPerson.objects.bulk_update(changed, ["name", "region_id", "household_region_text", "is_local",
                                                    "insured_kind", "is_deceased", "moved_away"])
        created += len(new)
    if any(person.pk is None for person in people.values()):  # SQLite returns ids; refetch otherwise
        people = InsuredPerson.objects.in_bulk(list(people), field_name="resident_id")
    return people, created


def _write_settlements(batch: list[SettlementRow], people: dict[str, InsuredPerson], *, job, year: int) -> int:
    existing = {record.settlement_no: record for record in SettlementRecord.objects.filter(
        year=year, settlement_no__in=[row.settlement_no for row in batch])}
    new, changed = [], []
    for row in batch:
        values = {
            "person_id": people[row.resident_id].pk, "settled_on": row.settled_on, "institution": row.institution,
            "in_province": row.in_province, "total_cost": row.total_cost, "fund_basic": row.fund_basic,
            "fund_critical": row.fund_critical, "fund_assistance": row.fund_assistance,
            "out_of_pocket": row.out_of_pocket,
        }
        record = existing.get(row.settlement_no)
        if record is None:
            new.append(SettlementRecord(year=year, settlement_no=row.settlement_no, import_job=job, **values))
        elif any(getattr(record, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(record, key, value)
            record.import_job = job
            changed.append(record)
    SettlementRecord.objects.bulk_create(new)
    SettlementRecord.objects.bulk_update(changed, [*SETTLEMENT_FIELDS, "import_job"])
    return len(new) + len(changed)
