"""Whole months loaded as new leaves (PostgreSQL only). Each year's partition is partitioned by
month of settled_on (migration settlement_months): a leaf per month. A file that fills months — a year's first
file (every month it has rows for), or a monthly extract (its one month, first time or re-sent) —
is loaded the fast way: people written first (each from their last row), each month's rows
COPY'd into a bare table with their person ids, its indexes built once, and the table swapped in
for the month's leaf. Building an index once costs a fraction of updating it row by row, which is
where a plain COPY into an indexed table spends most of its time; and a re-sent month replaces
its leaf whole, so nothing doubles and rows missing from the new file are gone.

A settlement number is unique within a year. A file repeating one of its own numbers never comes
here (spool.has_repeats: hashes, no database work); each leaf's unique index covers its month
all the same. Against the months kept, the new rows are checked set-based before the swap
(_repeats_elsewhere). A repeat raises Repeated (or the IntegrityError), the caller's savepoint
undoes everything, and the file is merged instead (merge.py), which reports repeats within the
file and replaces a settlement another month holds, as for any merged file.

Transactional DDL makes this safe: the old leaf is dropped and the new one attached inside the
import's transaction, so a failure or a kill leaves the month as it was. The swap takes an
exclusive lock on the settlement table for its last moments only (after the indexes are built
and analysed, the errors written): readers wait those seconds and never see a half-loaded
month, and a long-running reader makes the import wait (politely: see _lock_settlements).
"""
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import polars as pl
from django.db import OperationalError, transaction
from psycopg2 import errors as pg_errors

from . import people
from .columns import ImportFileError
from .copying import copy_in, copy_out, text_chunks
from .result import month_bounds

PARENT = "assistance_settlementrecord"
SWAP_ATTEMPT_SECONDS = 5
SWAP_PATIENCE = 600
PERSON_COLUMNS = ["row_no", "person_key", "resident_id", "name", "region_id", "household_region", "insured_kind"]
SETTLEMENT_COLUMNS = ("id", "year", "settlement_no", "person_id", "settled_on", "institution", "in_province",
                      "total_cost", "fund_basic", "fund_critical", "fund_assistance", "out_of_pocket",
                      "import_job_id")


class Repeated(Exception):
    """A settlement number of the new rows occurs in another month of the year (or twice in the
    file, in two months): the fast path cannot take the file."""


@dataclass
class Written:
    imported: int
    people_created: int
    repeated: int = 0  # rows rejected while writing: a settlement number repeated within the file


def year_table(year: int) -> str:
    return f"{PARENT}_y{int(year)}"


def leaf(year: int, month: int) -> str:
    return f"{year_table(year)}_m{int(month):02d}"


def has_months(cursor, year: int) -> bool:
    """True when the year has its own partition, split by month (years outside the partitioned
    range live in the default partition, which is not)."""
    cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [leaf(year, 1)])
    return cursor.fetchone()[0]


def is_empty(cursor, year: int) -> bool:
    """True when the year has its monthly leaves and none holds a row yet."""
    if not has_months(cursor, year):
        return False
    cursor.execute(f"SELECT NOT EXISTS (SELECT 1 FROM {year_table(year)})")
    return cursor.fetchone()[0]


def delete_month(cursor, year: int, month: int) -> int:
    """The slow way to empty a month (the default partition, or before a merge)."""
    start, end = month_bounds(year, month)
    cursor.execute(f"DELETE FROM {PARENT} WHERE year = %s AND settled_on >= %s AND settled_on < %s",
                   [year, start, end])
    return cursor.rowcount


def load(cursor, spool, *, job_id: int, year: int, months: list[int], progress: Callable[[str, int], None]
         ) -> Written:
    """Write the spooled rows as new leaves for `months` (each replacing what the month held).
    Raises Repeated or IntegrityError (unique violation) when a settlement number repeats: the
    caller's savepoint then undoes it all and the file is merged instead."""
    progress("写入人员", spool.rows_valid)
    people_created, ids = _write_people(cursor, spool)

    offset = _reserve_ids(cursor, spool.rows_valid)
    loaded = []
    for month in months:
        progress("写入结算记录", spool.rows_valid)
        table = f"{leaf(year, month)}_load"
        start, end = month_bounds(year, month)
        # The CHECKs spare ATTACH a scan of the new rows; they are dropped afterwards.
        cursor.execute(f"CREATE TABLE {table} (LIKE {PARENT} INCLUDING DEFAULTS INCLUDING CONSTRAINTS, "
                       f"CONSTRAINT {table}_year CHECK (year = {int(year)}), CONSTRAINT {table}_month "
                       f"CHECK (settled_on >= '{start}' AND settled_on < '{end}'))")
        # FREEZE (the table is new in this transaction): rows are written frozen and all-visible, so
        # the first reader does not rewrite every page to set hint bits, nor a later vacuum to freeze.
        rows = _settlement_rows(spool, ids, month=month, first_id=offset, year=year, job_id=job_id)
        copy_in(cursor, f"COPY {table} ({', '.join(SETTLEMENT_COLUMNS)}) FROM STDIN WITH (FREEZE)",
                text_chunks(rows))
        offset += spool.rows_in(month)
        progress("建立索引", spool.rows_valid)
        # The unique index first: a settlement number repeated within the month stops the load here.
        cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {table}_no_key UNIQUE (settlement_no, year)")
        cursor.execute(f"CREATE INDEX {table}_id_idx ON {table} (id)")
        cursor.execute(f"CREATE INDEX {table}_person_idx ON {table} (person_id, year)")
        cursor.execute(f"ANALYZE {table}")  # screening runs next: give the planner real figures
        loaded.append((month, table))
    del ids
    progress("核对结算编号", spool.rows_valid)
    if _repeats_elsewhere(cursor, year, loaded):
        raise Repeated

    progress("切换分区", spool.rows_valid)
    _lock_settlements(cursor)
    for month, table in loaded:
        _swap(cursor, year, month, table)
    return Written(imported=spool.rows_valid, people_created=people_created)


def _repeats_elsewhere(cursor, year: int, loaded: list[tuple[int, str]]) -> bool:
    """Does a new month share a settlement number with a month kept? (Repeats within the file,
    across its months, were ruled out before: spool.has_repeats.) Set-based and counted in full —
    EXISTS would tempt the planner into an index probe per row — and only when a kept month holds
    rows: a year's first file pays nothing; a monthly file, one semi-join of its numbers with the
    year's other leaves."""
    new = {month for month, _ in loaded}
    kept = [leaf(year, month) for month in range(1, 13) if month not in new] + [f"{year_table(year)}_other"]
    cursor.execute("SELECT " + " OR ".join(f"EXISTS (SELECT 1 FROM {table})" for table in kept))
    if not cursor.fetchone()[0]:
        return False
    new_rows = " UNION ALL ".join(f"SELECT settlement_no FROM {table}" for _, table in loaded)
    kept_rows = " UNION ALL ".join(f"SELECT settlement_no FROM {table}" for table in kept)
    cursor.execute(f"SELECT count(*) FROM ({kept_rows}) k WHERE settlement_no IN ({new_rows})")
    return bool(cursor.fetchone()[0])


def _swap(cursor, year: int, month: int, table: str) -> None:
    """The bare table takes the month's leaf's place (whatever the leaf held is gone with it)."""
    target, start_end = leaf(year, month), month_bounds(year, month)
    cursor.execute(f"ALTER TABLE {year_table(year)} DETACH PARTITION {target}")
    cursor.execute(f"DROP TABLE {target}")
    cursor.execute(f"ALTER TABLE {table} RENAME TO {target}")
    for suffix in ("no_key", "id_idx", "person_idx"):
        cursor.execute(f"ALTER INDEX {table}_{suffix} RENAME TO {target}_{suffix}")
    cursor.execute(f"ALTER TABLE {year_table(year)} ATTACH PARTITION {target} "
                   f"FOR VALUES FROM ('{start_end[0]}') TO ('{start_end[1]}')")
    cursor.execute(f"ALTER TABLE {target} DROP CONSTRAINT {table}_year, DROP CONSTRAINT {table}_month")


def _lock_settlements(cursor) -> None:
    """The swap needs the settlement table to itself. Waiting in line for it would queue every new
    reader behind the import, for as long as a long query runs; so ask for a few seconds at a time,
    letting readers through in between, and give up after SWAP_PATIENCE seconds."""
    deadline = time.monotonic() + SWAP_PATIENCE
    while True:
        try:
            with transaction.atomic():  # a savepoint: a timed-out attempt is undone, the import goes on
                cursor.execute(f"SET LOCAL lock_timeout = '{SWAP_ATTEMPT_SECONDS}s'")
                cursor.execute(f"LOCK TABLE {PARENT} IN ACCESS EXCLUSIVE MODE")
                cursor.execute("SET LOCAL lock_timeout = 0")
            return
        except OperationalError as exc:
            if not isinstance(exc.__cause__, pg_errors.LockNotAvailable):
                raise
            if time.monotonic() > deadline:
                raise ImportFileError("结算数据正被长时间查询占用，导入已全部回滚，请稍后重新导入") from exc
            time.sleep(1)


def _write_people(cursor, spool) -> tuple[int, pl.DataFrame]:
    """Write the file's people, each from their last row; return how many are new and
    (person_key, person_id) for each of them, sorted by key."""
    cursor.execute(people.CREATE_TABLE)
    copy_in(cursor, f"COPY import_people ({', '.join(people.COLUMNS)}) FROM STDIN",
            text_chunks(_person_lines(spool)))
    spool.last_rows = None  # no longer needed: free it before the big write
    created = people.write(cursor)
    ids_file = spool.directory / "person_ids.tsv"
    copy_out(cursor, f"COPY ({people.IDS} ORDER BY 1) TO STDOUT", ids_file)
    cursor.execute(f"DROP TABLE {people.TABLES}")  # a later import in this transaction creates them again
    return created, _read_ids(ids_file)


def _read_ids(path, block: int = 1 << 20) -> pl.DataFrame:
    """(person_key, person_id) lines (sorted by key), read a block at a time: read_csv on the whole
    file holds the file and its parse buffers besides the frame (+72 MB at 1.4 M people, +52 MB by
    blocks). The ids are held in 32 bits when they fit (any city's registry): 12 bytes a person,
    48 MB for 30 M rows' 4 M people instead of 64. (Sorting here instead of in the query took the
    import's peak from 320 to 442 MB at 30 M rows: polars sorts into new copies.)"""
    schema = {"person_key": pl.Int64, "person_id": pl.Int64}
    parts, carry = [], b""
    with open(path, "rb") as handle:
        while True:
            data = handle.read(block)
            buffer = carry + data
            cut = buffer.rfind(b"\n") + 1 if data else len(buffer)
            if cut:
                part = pl.read_csv(buffer[:cut], has_header=False, separator="\t", new_columns=list(schema),
                                   schema=schema)
                if part["person_id"].max() < 2 ** 32:
                    part = part.with_columns(pl.col("person_id").cast(pl.UInt32))
                parts.append(part)
            carry = buffer[cut:]
            if not data:
                break
    if not parts:
        return pl.DataFrame(schema=schema)
    return pl.concat(parts, how="vertical_relaxed")  # a block of larger ids, if ever, widens the column


def _person_lines(spool) -> Iterator[pl.DataFrame]:
    """Each person's last row, as an import_people line. A row is its person's last when its
    number is in the sorted list of last rows (a binary search: no hash table of every person
    per batch)."""
    last = spool.last_rows  # last_rows.py
    for batch in spool.batches(columns=PERSON_COLUMNS):  # a person's columns only: about a third of the bytes
        lines = batch.filter(_is_in_sorted(batch["row_no"].cast(pl.UInt32), last.row_numbers))
        yield lines.select("resident_id", "name", "region_id", pl.col("household_region").str.slice(0, 100),
                           "insured_kind", _is_in_sorted(lines["person_key"], last.deceased).alias("is_deceased"),
                           _is_in_sorted(lines["person_key"], last.moved).alias("is_moved"))


def _reserve_ids(cursor, count: int) -> int:
    """Take `count` ids from the settlement table's identity in one step; return the first.
    Only imports write settlements, and they take turns, so nobody else draws in between."""
    cursor.execute(f"SELECT pg_get_serial_sequence('{PARENT}', 'id')")
    sequence = cursor.fetchone()[0]
    cursor.execute("SELECT nextval(%s)", [sequence])
    first = cursor.fetchone()[0]
    cursor.execute("SELECT setval(%s, %s)", [sequence, first + max(count, 1) - 1])
    return first


def _settlement_rows(spool, ids: pl.DataFrame, *, month: int, first_id: int, year: int, job_id: int
                     ) -> Iterator[pl.DataFrame]:
    """The month's spooled rows with their ids and person ids (binary search in the sorted keys)."""
    keys, person_ids = ids["person_key"], ids["person_id"]
    offset = first_id
    for batch in spool.batches(month):
        found = keys.search_sorted(batch["person_key"]).clip(upper_bound=max(keys.len() - 1, 0))
        if not (keys.gather(found) == batch["person_key"]).all():  # every valid row's person was written
            raise RuntimeError("settlement import: a row's person is missing after the people were written")
        yield batch.select(
            pl.int_range(offset, offset + batch.height, dtype=pl.Int64).alias("id"), pl.lit(year).alias("year"),
            "settlement_no", person_ids.gather(found).alias("person_id"), "settled_on", "institution",
            "in_province", "total_cost", "fund_basic", "fund_critical", "fund_assistance", "out_of_pocket",
            pl.lit(job_id).alias("import_job_id"))
        offset += batch.height


def _is_in_sorted(values: pl.Series, sorted_values: pl.Series) -> pl.Series:
    """Which of `values` occur in `sorted_values`."""
    if not sorted_values.len():
        return pl.Series(values=[False] * values.len(), dtype=pl.Boolean)
    at = sorted_values.search_sorted(values).clip(upper_bound=sorted_values.len() - 1)
    return sorted_values.gather(at) == values
