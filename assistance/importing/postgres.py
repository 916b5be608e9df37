"""The PostgreSQL loader: check the file in polars batches and write it in bulk.

One pass reads the file (batches.py) and checks every row (frames.py: the rules of rules.py over
whole batches); errors go to a file and valid rows to Arrow files in a temporary directory, so
memory holds a batch or two whatever the file's size. Then, in the import's one transaction:

- a file that fills whole months — a monthly extract (the job names its month: first time or
  re-sent), or a year's first file (its months still empty) — becomes new monthly leaves
  (partition.py): people written from their last row, each month's rows COPY'd into a bare table,
  indexes built once, the table swapped in for the month (a re-sent month's old rows go with it);
- any other file (a later file without a month, or one that repeats a settlement number) is
  merged (merge.py): staged, repeats within the file reported, people upserted, settlements
  inserted, or replaced when they changed, and identical ones left alone. A monthly file merged
  (a repeat, or a year outside the partitioned range) first has its month emptied, so the result
  is the same as the fast path's.

A monthly file's rows must all be settled in its month: the others are rejected rows, reported
like any other.

An import killed half-way leaves nothing: it is all one transaction.
"""
import datetime as dt
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import polars as pl
from django.db import IntegrityError, connection, transaction
from psycopg2 import errors as pg_errors

from . import frames, merge, partition
from .batches import iter_batches
from .columns import BY_KEY, ImportFileError, heading
from .copying import text_chunks
from .last_rows import LastRowFinder
from .regions import RegionResolver
from .result import LoadResult, empty_month_message, outside_month_message
from .spool import Spool

SPOOL_PREFIX = "settlement-import-"
STALE_SPOOL_SECONDS = 24 * 3600
ERROR_COLUMNS = 'job_id, row_number, "column", value, reason'  # "column" is a reserved word


def load(*, job, path: Path, positions: dict[str, int], width: int, year: int, today: dt.date,
         progress: Callable[[str, int], None], headings: dict[str, str] | None = None,
         month: int | None = None) -> LoadResult:
    """Load one file for one year (and, for a monthly extract, its month). Must run inside
    transaction.atomic()."""
    assert transaction.get_connection().in_atomic_block
    _remove_stale_spools()
    with connection.cursor() as cursor, tempfile.TemporaryDirectory(prefix=SPOOL_PREFIX) as directory:
        # Imports take turns: two at once would upsert the same people in different orders (a
        # deadlock) and race on a year's first load. They are rare and long; waiting is fine.
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('assistance.settlement_import'))")
        cursor.execute("SET LOCAL work_mem = '128MB'")
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        progress("读取文件", 0)
        spool = _check_file(job_id=job.pk, path=path, positions=positions, width=width, year=year, today=today,
                            directory=Path(directory), progress=progress, headings=headings, month=month)
        if month and not spool.rows_valid:  # nothing of the month: replacing it would only empty it
            raise ImportFileError(empty_month_message(year, month, spool.rows_total))
        # The error list first: a new partition's swap then holds its lock for seconds, not for
        # however many errors a bad file has.
        with open(spool.errors, "rb") as errors:
            cursor.copy_expert(f"COPY assistance_settlementimporterror ({ERROR_COLUMNS}) FROM STDIN",
                               errors, 1 << 20)
        written = None
        months = [month] if month else spool.months
        # Repeats within the file (hashes, spool.py) go straight to the merge, which reports them.
        if (month or spool.rows_valid) and partition.has_months(cursor, year) and (
                month or partition.is_empty(cursor, year)) and not spool.has_repeats():
            try:
                with transaction.atomic():  # a savepoint: a repeated settlement number undoes it
                    written = partition.load(cursor, spool, job_id=job.pk, year=year, months=months,
                                             progress=progress)
            except partition.Repeated:
                pass
            except IntegrityError as exc:
                if not isinstance(exc.__cause__, pg_errors.UniqueViolation):
                    raise
        if written is None:
            if month:
                partition.delete_month(cursor, year, month)  # a re-sent month replaces, merged too
            written = merge.load(cursor, spool, job_id=job.pk, year=year, progress=progress,
                                 repeat_heading=heading("settlement_no", headings))
    rejected = spool.rows_rejected + written.repeated
    return LoadResult(rows_total=spool.rows_total, rows_rejected=rejected, rows_imported=written.imported,
                      rows_unchanged=spool.rows_valid - written.repeated - written.imported,
                      people_created=written.people_created)


def _remove_stale_spools() -> None:
    """A worker killed mid-import leaves its spool (≈ 275 bytes a row: gigabytes for a city's year)
    in the temporary directory; the next import clears any older than a day."""
    now = time.time()
    for folder in Path(tempfile.gettempdir()).glob(f"{SPOOL_PREFIX}*"):
        try:
            if now - folder.stat().st_mtime > STALE_SPOOL_SECONDS:
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            continue  # gone meanwhile


def _check_file(*, job_id: int, path: Path, positions: dict[str, int], width: int, year: int, today: dt.date,
                directory: Path, progress: Callable[[str, int], None], headings: dict[str, str] | None,
                month: int | None = None) -> Spool:
    """Check every row: errors to a file, valid rows spooled. No database work: the connection is
    idle meanwhile."""
    spool = Spool(directory=directory)
    regions = _Regions()
    last_rows = LastRowFinder(directory)
    records = 0
    with open(spool.errors, "wb") as errors_file:
        for index, batch in enumerate(iter_batches(path, width)):
            checked = frames.check(batch.cells, positions=positions, year=year, today=today)
            errors = [(row_no, "", f"列数不对：表头有 {width} 列，此行 {count} 列") for row_no, count in batch.ragged]
            errors += checked.errors
            if month:
                errors += _outside_month(checked, year=year, month=month)
            for chunk in text_chunks([_error_lines(errors, job_id=job_id, headings=headings)]):
                errors_file.write(chunk)
            spool.rows_rejected += len({row_no for row_no, *_ in errors})
            spool.rows_total += batch.cells.height + len(batch.ragged)
            if checked.typed.height:
                typed = regions.add_region_ids(checked.typed)
                spool.add(typed)
                last_rows.add(typed)
            records += batch.records
            progress("校验", records)
    spool.finish()
    spool.last_rows = last_rows.finish()
    return spool


def _outside_month(checked, *, year: int, month: int) -> list[tuple[int, str, str]]:
    """A monthly file's valid rows settled in another month: taken out of `checked.typed` and
    returned as errors (the SQLite loader words them the same, python.py)."""
    outside = pl.col("settled_on").dt.month() != month
    rows = checked.typed.filter(outside)["row_no"].to_list()
    if rows:
        checked.typed = checked.typed.filter(~outside)
    return [(row_no, "settled_on", outside_month_message(year, month)) for row_no in rows]


def _error_lines(errors: list[tuple[int, str, str]], *, job_id: int, headings: dict[str, str] | None
                 ) -> pl.DataFrame:
    """(row_no, column key, reason) → error list lines, with the row's line in the file (header = 1)
    and the column named by the file's own heading."""
    frame = pl.DataFrame(errors, schema={"row_no": pl.Int64, "column": pl.String, "reason": pl.String},
                         orient="row")
    named = {key: heading(key, headings) for key in BY_KEY}
    return frame.select(pl.lit(job_id, pl.Int64).alias("job_id"), (pl.col("row_no") + 1).alias("row_number"),
                        pl.col("column").replace(named), pl.lit("").alias("value"),
                        pl.col("reason").str.slice(0, 200))


class _Regions:
    """Household-registration text → region id, resolved once per distinct value (they are few)."""

    def __init__(self):
        self._resolver = RegionResolver()
        self._ids: dict[str, int | None] = {}

    def add_region_ids(self, typed: pl.DataFrame) -> pl.DataFrame:
        for text in typed["household_region"].unique().to_list():
            if text not in self._ids:
                self._ids[text] = getattr(self._resolver.resolve(text), "pk", None)
        return typed.with_columns(region_id=pl.col("household_region").replace_strict(
            self._ids, return_dtype=pl.Int64))
