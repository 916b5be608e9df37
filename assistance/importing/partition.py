"""A year's first file, loaded as a new partition (PostgreSQL only): people written first (each
from their last row), the rows COPY'd into a bare table with their person ids, its indexes built
once, then the table swapped in for the year's empty partition. Building an index once costs a
fraction of updating it row by row, which is where a plain COPY into an indexed table spends most
of its time.

Transactional DDL makes this safe: the old partition is dropped and the new one attached inside
the import's transaction, so a failure or a kill leaves the empty partition as it was. The swap
takes an exclusive lock on the settlement table for its last moments only (after the indexes are
built and analysed, the errors written): readers wait those seconds and never see a half-loaded
year, and a long-running reader makes the import wait (politely: see _lock_settlements), never
the other way round.
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

PARENT = "assistance_settlementrecord"
SWAP_ATTEMPT_SECONDS = 5
SWAP_PATIENCE = 600
SETTLEMENT_COLUMNS = ("id", "year", "settlement_no", "person_id", "settled_on", "institution", "in_province",
                      "total_cost", "fund_basic", "fund_critical", "fund_assistance", "out_of_pocket",
                      "import_job_id")


@dataclass
class Written:
    imported: int
    people_created: int
    repeated: int = 0  # rows rejected while writing: a settlement number repeated within the file


def is_empty(cursor, year: int) -> bool:
    """True when the year has its own partition and it holds no row yet."""
    table = f"{PARENT}_y{year}"
    cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [table])
    if not cursor.fetchone()[0]:
        return False  # years outside the partitioned range live in the default partition
    cursor.execute(f"SELECT NOT EXISTS (SELECT 1 FROM {table})")
    return cursor.fetchone()[0]


def load(cursor, spool, *, job_id: int, year: int, progress: Callable[[str, int], None]) -> Written:
    """Write the spooled rows as the year's partition. Raises IntegrityError (unique violation)
    when the file repeats a settlement number: the caller then merges instead."""
    progress("写入人员", spool.rows_valid)
    people_created, ids = _write_people(cursor, spool)

    progress("写入结算记录", spool.rows_valid)
    partition, table = f"{PARENT}_y{year}", f"{PARENT}_y{year}_load"
    cursor.execute(f"CREATE TABLE {table} (LIKE {PARENT} INCLUDING DEFAULTS INCLUDING CONSTRAINTS, "
                   f"CONSTRAINT {table}_year CHECK (year = {int(year)}))")
    first_id = _reserve_ids(cursor, spool.rows_valid)
    # FREEZE (the table is new in this transaction): rows are written frozen and all-visible, so
    # the first reader does not rewrite every page to set hint bits, nor a later vacuum to freeze.
    copy_in(cursor, f"COPY {table} ({', '.join(SETTLEMENT_COLUMNS)}) FROM STDIN WITH (FREEZE)",
            text_chunks(_settlement_rows(spool, ids, first_id=first_id, year=year, job_id=job_id)))
    del ids

    progress("建立索引", spool.rows_valid)
    # The unique index first: a settlement number repeated in the file stops the load here.
    cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {table}_no_key UNIQUE (settlement_no, year)")
    cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {table}_pkey PRIMARY KEY (id, year)")
    cursor.execute(f"CREATE INDEX {table}_person_idx ON {table} (person_id, year)")

    cursor.execute(f"ANALYZE {table}")  # screening runs next: give the planner real figures

    progress("切换分区", spool.rows_valid)
    _lock_settlements(cursor)
    cursor.execute(f"DROP TABLE {partition}")  # empty (checked under the import lock)
    cursor.execute(f"ALTER TABLE {table} RENAME TO {partition}")
    for old, new in (("no_key", "settlement_no_year_key"), ("pkey", "pkey"), ("person_idx", "person_id_year_idx")):
        cursor.execute(f"ALTER INDEX {table}_{old} RENAME TO {partition}_{new}")
    # The CHECK (year = …) spares ATTACH a scan of the new rows; it is redundant afterwards.
    cursor.execute(f"ALTER TABLE {PARENT} ATTACH PARTITION {partition} FOR VALUES IN ({int(year)})")
    cursor.execute(f"ALTER TABLE {partition} DROP CONSTRAINT {table}_year")
    return Written(imported=spool.rows_valid, people_created=people_created)


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
    copy_out(cursor, "COPY (SELECT substr(p.resident_id, 1, 17)::bigint, p.id FROM assistance_insuredperson p "
                     "JOIN import_people USING (resident_id) ORDER BY 1) TO STDOUT", ids_file)
    cursor.execute("DROP TABLE import_people")  # a later import in this transaction creates it again
    ids = pl.read_csv(ids_file, has_header=False, separator="\t", new_columns=["person_key", "person_id"],
                      schema={"person_key": pl.Int64, "person_id": pl.Int64}, raise_if_empty=False)
    return created, ids


def _person_lines(spool) -> Iterator[pl.DataFrame]:
    """Each person's last row, as an import_people line. The spool is in row order, so a row is
    its person's last when its number is in the sorted list of last rows (a binary search: no
    hash table of every person per batch)."""
    last_rows = spool.last_rows["row_no"].cast(pl.Int64).sort()
    deceased = spool.last_rows.filter("is_deceased")["person_key"].sort()
    for batch in spool.batches():
        lines = batch.filter(_is_in_sorted(batch["row_no"], last_rows))
        yield lines.select("resident_id", "name", "region_id", pl.col("household_region").str.slice(0, 100),
                           "insured_kind", _is_in_sorted(lines["person_key"], deceased).alias("is_deceased"))


def _reserve_ids(cursor, count: int) -> int:
    """Take `count` ids from the settlement table's identity in one step; return the first.
    Only imports write settlements, and they take turns, so nobody else draws in between."""
    cursor.execute(f"SELECT pg_get_serial_sequence('{PARENT}', 'id')")
    sequence = cursor.fetchone()[0]
    cursor.execute("SELECT nextval(%s)", [sequence])
    first = cursor.fetchone()[0]
    cursor.execute("SELECT setval(%s, %s)", [sequence, first + max(count, 1) - 1])
    return first


def _settlement_rows(spool, ids: pl.DataFrame, *, first_id: int, year: int, job_id: int) -> Iterator[pl.DataFrame]:
    """The spooled rows with their ids and person ids (binary search in the sorted person keys)."""
    keys, person_ids = ids["person_key"], ids["person_id"]
    offset = first_id
    for batch in spool.batches():
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
