"""A year's first file, loaded as a new partition (PostgreSQL only).

While the file is being checked, each checked batch is COPY'd into a bare table by a thread of
its own, so PostgreSQL loads one batch while polars checks the next: both cores work. The rows
point at their people by id from the start: people already in the registry keep theirs (looked
up once), new people get one from the person table's sequence the first time a batch names them
and are written with it at the end, each from their last row. Then the table's indexes are built
once (several times cheaper than updating them row by row, which is where a plain COPY into an
indexed table spends most of its time) and the table is swapped in for the year's empty partition.

Transactional DDL makes this safe: the old partition is dropped and the new one attached inside
the import's transaction, so a failure or a kill leaves the empty partition as it was. The swap
takes an exclusive lock on the settlement table for its last moments only (after the indexes are
built); readers wait those seconds and never see a half-loaded year.
"""
import io
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from . import people
from .copying import copy_in, copy_out, text_chunks

PARENT = "assistance_settlementrecord"
SETTLEMENT_COLUMNS = ("id", "year", "settlement_no", "person_id", "settled_on", "institution", "in_province",
                      "total_cost", "fund_basic", "fund_critical", "fund_assistance", "out_of_pocket",
                      "import_job_id")
ID_BLOCK = 1_000_000  # settlement ids taken from the sequence at a time


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


class NewPartition:
    """Use as a context manager around the file's check: add() each checked batch, then finish().
    Raises IntegrityError (unique violation) from finish() when the file repeats a settlement
    number: the caller rolls back to its savepoint and merges instead.

    Until finish() only the writer thread uses the database connection (psycopg2 must not see
    two threads talk on one connection at once); the checking thread does no database work."""

    def __init__(self, cursor, *, job_id: int, year: int, directory: Path):
        self._cursor = cursor
        self._job_id, self._year = job_id, year
        self.partition, self.table = f"{PARENT}_y{year}", f"{PARENT}_y{year}_load"
        self._rows = 0
        self._next_id = self._last_id = 0
        cursor.execute(f"CREATE TABLE {self.table} (LIKE {PARENT} INCLUDING DEFAULTS INCLUDING CONSTRAINTS, "
                       f"CONSTRAINT {self.table}_year CHECK (year = {int(year)}))")
        cursor.execute(f"SELECT pg_get_serial_sequence('{PARENT}', 'id')")
        self._sequence = cursor.fetchone()[0]
        self._people = PersonIds(cursor, directory / "registry.tsv")
        # FREEZE (the table is new in this transaction): rows are written frozen and all-visible, so
        # the first reader does not rewrite every page to set hint bits, nor a later vacuum to freeze.
        self._writer = _BatchWriter(cursor.connection, self._write,
                                    f"COPY {self.table} ({', '.join(SETTLEMENT_COLUMNS)}) FROM STDIN WITH (FREEZE)")

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self._writer.close(raise_failure=False)  # never leave the thread using the connection

    def add(self, typed: pl.DataFrame) -> None:
        """Hand a checked batch to the writer thread, which gives it its ids and COPYs it while
        the next batch is checked."""
        self._writer.put(typed)

    def finish(self, spool, *, progress: Callable[[str, int], None]) -> Written:
        self._writer.close()
        progress("写入人员", self._rows)
        cursor, table, partition = self._cursor, self.table, self.partition
        self._people.use(cursor)
        cursor.execute(people.CREATE_TABLE)
        copy_in(cursor, f"COPY import_people ({', '.join(people.COLUMNS)}) FROM STDIN",
                text_chunks(self._people.lines(spool)))
        people_created = people.write(cursor)

        progress("建立索引", self._rows)
        # The unique index first: a settlement number repeated in the file stops the load here.
        cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {table}_no_key UNIQUE (year, settlement_no)")
        cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {table}_pkey PRIMARY KEY (id, year)")
        cursor.execute(f"CREATE INDEX {table}_person_idx ON {table} (person_id, year)")

        cursor.execute(f"DROP TABLE {partition}")  # empty (checked under the import lock)
        cursor.execute(f"ALTER TABLE {table} RENAME TO {partition}")
        for old, new in (("no_key", "year_settlement_no_key"), ("pkey", "pkey"),
                         ("person_idx", "person_id_year_idx")):
            cursor.execute(f"ALTER INDEX {table}_{old} RENAME TO {partition}_{new}")
        # The CHECK (year = …) spares ATTACH a scan of the new rows; it is redundant afterwards.
        cursor.execute(f"ALTER TABLE {PARENT} ATTACH PARTITION {partition} FOR VALUES IN ({int(self._year)})")
        cursor.execute(f"ALTER TABLE {partition} DROP CONSTRAINT {table}_year")
        cursor.execute(f"ANALYZE {partition}")  # screening runs next: give the planner real figures
        return Written(imported=self._rows, people_created=people_created)

    def _write(self, cursor, typed: pl.DataFrame) -> pl.DataFrame:
        """In the writer thread: the batch as partition rows, with settlement and person ids."""
        self._people.use(cursor)
        first = self._settlement_ids(cursor, typed.height)
        self._rows += typed.height
        return typed.select(
            pl.int_range(first, first + typed.height, dtype=pl.Int64).alias("id"), pl.lit(self._year).alias("year"),
            "settlement_no", self._people.ids_of(typed["person_key"]).alias("person_id"), "settled_on",
            "institution", "in_province", "total_cost", "fund_basic", "fund_critical", "fund_assistance",
            "out_of_pocket", pl.lit(self._job_id).alias("import_job_id"))

    def _settlement_ids(self, cursor, count: int) -> int:
        """The first of `count` fresh settlement ids. Only imports write settlements and they take
        turns, so a block can be taken from the sequence with setval without anyone drawing in it."""
        if self._next_id + count > self._last_id + 1:
            cursor.execute("SELECT nextval(%s)", [self._sequence])
            self._next_id = cursor.fetchone()[0]
            self._last_id = self._next_id + max(count, ID_BLOCK) - 1
            cursor.execute("SELECT setval(%s, %s)", [self._sequence, self._last_id])
        first = self._next_id
        self._next_id += count
        return first


class PersonIds:
    """person_key (the ID's first 17 digits) → person id, for the registry's people (read once)
    and for the people new to it (drawn from its sequence on first sight, written at the end)."""

    MERGE_AFTER = 8  # lists of new people searched before they are merged into one

    def __init__(self, cursor, path: Path):
        self._cursor = cursor
        copy_out(cursor, "COPY (SELECT substr(resident_id, 1, 17)::bigint, id FROM assistance_insuredperson "
                         "ORDER BY 1) TO STDOUT", path)
        self._registry = pl.read_csv(path, has_header=False, separator="\t", new_columns=_ID_COLUMNS,
                                     schema=_ID_SCHEMA, raise_if_empty=False)
        self._new: list[pl.DataFrame] = []

    def use(self, cursor) -> None:
        """The cursor to draw new ids with (the writer thread's, then the main thread's)."""
        self._cursor = cursor

    def ids_of(self, keys: pl.Series) -> pl.Series:
        ids = self._look_up(keys)
        missing = keys.filter(ids.is_null()).unique().sort()
        if missing.len():
            self._cursor.execute("SELECT nextval(pg_get_serial_sequence('assistance_insuredperson', 'id')) "
                                 "FROM generate_series(1, %s)", [missing.len()])
            drawn = pl.Series([row[0] for row in self._cursor.fetchall()], dtype=pl.Int64)
            self._new.append(pl.DataFrame({"person_key": missing, "person_id": drawn}))
            if len(self._new) > self.MERGE_AFTER:
                self._new = [pl.concat(self._new).sort("person_key")]
            ids = self._look_up(keys)
        return ids

    def lines(self, spool):
        """Each person's last row as an import_people line, with their id and whether they are new."""
        last_rows = spool.last_rows["row_no"].cast(pl.Int64).sort()
        deceased = spool.last_rows.filter("is_deceased")["person_key"].implode()
        new_keys = pl.concat([part["person_key"] for part in self._new]).sort() if self._new else pl.Series(
            dtype=pl.Int64)
        for batch in spool.batches():
            found = last_rows.search_sorted(batch["row_no"]).clip(upper_bound=max(last_rows.len() - 1, 0))
            lines = batch.filter(last_rows.gather(found) == batch["row_no"])
            yield lines.select(
                "resident_id", "name", "region_id", pl.col("household_region").str.slice(0, 100), "insured_kind",
                pl.col("person_key").is_in(deceased).alias("is_deceased"),
                self._look_up(lines["person_key"]).alias("id"),
                pl.col("person_key").is_in(new_keys.implode()).alias("is_new"))

    def _look_up(self, keys: pl.Series) -> pl.Series:
        ids = pl.Series(values=[None] * keys.len(), dtype=pl.Int64)
        for part in ([self._registry] if self._registry.height else []) + self._new:
            ids = ids.fill_null(_search(part, keys))
        return ids


_ID_COLUMNS = ["person_key", "person_id"]
_ID_SCHEMA = {"person_key": pl.Int64, "person_id": pl.Int64}


def _search(part: pl.DataFrame, keys: pl.Series) -> pl.Series:
    """Binary search in a sorted list: a hash join would rebuild a table of every person per batch."""
    sorted_keys = part["person_key"]
    at = sorted_keys.search_sorted(keys).clip(upper_bound=sorted_keys.len() - 1)
    hit = sorted_keys.gather(at) == keys
    return part["person_id"].gather(at).zip_with(hit, pl.Series(values=[None] * keys.len(), dtype=pl.Int64))


class _BatchWriter:
    """Turns checked batches into rows (`prepare`) and COPYs them, in a thread of its own. At most
    one batch waits, so memory stays bounded."""

    def __init__(self, connection, prepare: Callable, sql: str):
        self._queue: queue.Queue = queue.Queue(maxsize=1)
        self._failure: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(connection, prepare, sql), name="partition-writer",
                                        daemon=True)
        self._thread.start()

    def put(self, frame: pl.DataFrame) -> None:
        self._raise_failure()
        self._queue.put(frame)

    def close(self, *, raise_failure: bool = True) -> None:
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()
        if raise_failure:
            self._raise_failure()

    def _run(self, connection, prepare: Callable, sql: str) -> None:
        cursor = connection.cursor()  # psycopg2's own: Django's wrapper belongs to the main thread
        while (frame := self._queue.get()) is not None:
            if self._failure is None:
                try:
                    for chunk in text_chunks([prepare(cursor, frame)]):
                        cursor.copy_expert(sql, io.BytesIO(chunk), 1 << 20)
                except BaseException as exc:  # re-raised in the main thread by put() or close()
                    self._failure = exc

    def _raise_failure(self) -> None:
        if self._failure is not None:
            raise self._failure
