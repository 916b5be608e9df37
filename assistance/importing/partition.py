"""A year's first file, loaded as a new partition: rows into a bare table, indexes built once, then
the table swapped in for the year's empty partition (PostgreSQL only).

Transactional DDL makes this safe: the old partition is dropped and the new one attached inside
the import's transaction, so a failure or a kill leaves the empty partition as it was. The swap
takes an exclusive lock on the settlement table for its last moments only (after the indexes are
built); readers wait those seconds, they never see a half-loaded year.
"""
from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from . import people
from .copying import copy_in, copy_out, text_chunks

PARENT = "assistance_settlementrecord"
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
    copy_in(cursor, f"COPY {table} ({', '.join(SETTLEMENT_COLUMNS)}) FROM STDIN",
            text_chunks(_settlement_rows(spool, ids, first_id=first_id, year=year, job_id=job_id)))

    progress("建立索引", spool.rows_valid)
    # The unique index first: a settlement number repeated in the file stops the load here.
    cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {table}_no_key UNIQUE (year, settlement_no)")
    cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {table}_pkey PRIMARY KEY (id, year)")
    cursor.execute(f"CREATE INDEX {table}_person_idx ON {table} (person_id, year)")

    cursor.execute(f"DROP TABLE {partition}")  # empty (checked under the import lock)
    cursor.execute(f"ALTER TABLE {table} RENAME TO {partition}")
    for old, new in (("no_key", "year_settlement_no_key"), ("pkey", "pkey"), ("person_idx", "person_id_year_idx")):
        cursor.execute(f"ALTER INDEX {table}_{old} RENAME TO {partition}_{new}")
    # The CHECK (year = …) spares ATTACH a scan of the new rows; it is redundant afterwards.
    cursor.execute(f"ALTER TABLE {PARENT} ATTACH PARTITION {partition} FOR VALUES IN ({int(year)})")
    cursor.execute(f"ALTER TABLE {partition} DROP CONSTRAINT {table}_year")
    cursor.execute(f"ANALYZE {partition}")  # screening runs next: give the planner real figures
    return Written(imported=spool.rows_valid, people_created=people_created)


def _write_people(cursor, spool) -> tuple[int, pl.DataFrame]:
    """Upsert the file's people, each from their last row; return how many are new and
    (person_key, person_id) for each of them, sorted by key."""
    cursor.execute(people.CREATE_TABLE)
    copy_in(cursor, f"COPY import_people ({', '.join(people.COLUMNS)}) FROM STDIN",
            text_chunks(_person_lines(spool)))
    spool.last_rows = None
    created = people.write(cursor)
    ids_file = spool.directory / "person_ids.csv"
    copy_out(cursor, "COPY (SELECT substr(p.resident_id, 1, 17)::bigint, p.id FROM assistance_insuredperson p "
                     "JOIN import_people USING (resident_id)) TO STDOUT WITH (FORMAT csv)", ids_file)
    cursor.execute("DROP TABLE import_people")
    ids = pl.read_csv(ids_file, has_header=False, new_columns=["person_key", "person_id"],
                      schema={"person_key": pl.Int64, "person_id": pl.Int64})
    return created, ids.sort("person_key")


def _person_lines(spool):
    """Each person's last row, as an import_people line (the spool is in row order: a row is its
    person's last when its number is in the sorted list of last rows)."""
    last_rows = spool.last_rows["row_no"].sort()
    deceased = spool.last_rows.filter("is_deceased")["person_key"]
    for batch in spool.batches():
        found = last_rows.search_sorted(batch["row_no"]).clip(upper_bound=max(len(last_rows) - 1, 0))
        lines = batch.filter(last_rows.gather(found) == batch["row_no"])
        yield lines.select("resident_id", "name", "region_id", pl.col("household_region").str.slice(0, 100),
                           "insured_kind", pl.col("person_key").is_in(deceased.implode()).alias("is_deceased"))



def _reserve_ids(cursor, count: int) -> int:
    """Take `count` ids from the settlement table's identity in one step; return the first.
    Only imports write settlements, and they take turns, so nobody else draws in between."""
    cursor.execute(f"SELECT pg_get_serial_sequence('{PARENT}', 'id')")
    sequence = cursor.fetchone()[0]
    cursor.execute("SELECT nextval(%s)", [sequence])
    first = cursor.fetchone()[0]
    cursor.execute("SELECT setval(%s, %s)", [sequence, first + max(count, 1) - 1])
    return first


def _settlement_rows(spool, ids: pl.DataFrame, *, first_id: int, year: int, job_id: int):
    """The spooled rows with their ids and person ids. A person's id is found by binary search in
    the sorted keys: a hash join would rebuild a table of every person for each batch."""
    keys, person_ids = ids["person_key"], ids["person_id"]
    offset = first_id
    for batch in spool.batches():
        found = keys.search_sorted(batch["person_key"], side="left")
        rows = batch.with_columns(person_id=person_ids.gather(found))
        if not (keys.gather(found) == rows["person_key"]).all():  # every valid row's person was written
            raise RuntimeError("settlement import: a row's person is missing after the people upsert")
        yield rows.select(
            pl.int_range(offset, offset + rows.height, dtype=pl.Int64).alias("id"), pl.lit(year).alias("year"),
            "settlement_no", "person_id", "settled_on", "institution", "in_province", "total_cost", "fund_basic",
            "fund_critical", "fund_assistance", "out_of_pocket", pl.lit(job_id).alias("import_job_id"))
        offset += rows.height
