"""The checked rows of one file, spooled to Arrow files in a temporary directory (a few per batch):
memory holds a batch or two whatever the file's size.

Each batch is written as a file per month of settlement, so the loader reads a month (for its
leaf, partition.py) without reading the others. (Files sorted by month and read as slices kept
the whole file in memory per slice: 326 MB peak at 10 M rows.) The batch's settlement numbers
are also hashed (64 bits) into a small file per bucket, so repeats within the file are found
without the database or a table of every number (has_repeats).
"""
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

READ_ROWS = 10_000  # rows per frame handed on (30,000: +50 MB peak while COPYing, no faster)
HASH_BUCKETS = 16  # has_repeats holds one bucket of hashes at a time (≈ 5 MB at 10 M rows)


@dataclass
class Spool:
    """The checked file: its valid rows, its errors, each person's last row, and counts."""

    directory: Path
    files: list[tuple[int, Path]] = field(default_factory=list)  # (month settled, Arrow file), in row order
    month_rows: dict[int, int] = field(default_factory=dict)
    last_rows: pl.DataFrame | None = None  # person_key, row_no (their last valid row), is_deceased, is_moved (any row)
    rows_total: int = 0
    rows_rejected: int = 0
    rows_valid: int = 0

    @property
    def errors(self) -> Path:
        return self.directory / "errors.tsv"

    def add(self, typed: pl.DataFrame) -> None:
        """Spool one batch of valid rows: a file per month it holds, and its settlement numbers'
        hashes in a file per bucket."""
        frame = typed.with_columns(settled_month=pl.col("settled_on").dt.month())
        for (month,), part in frame.partition_by("settled_month", as_dict=True, include_key=False).items():
            path = self.directory / f"{self.rows_valid:012d}-{month:02d}.arrow"
            part.write_ipc(path)
            self.files.append((month, path))
            self.month_rows[month] = self.month_rows.get(month, 0) + part.height
        hashes = typed.select(no_hash=pl.col("settlement_no").hash(seed=15))
        for (bucket,), part in hashes.with_columns(bucket=pl.col("no_hash") % HASH_BUCKETS).partition_by(
                "bucket", as_dict=True, include_key=False).items():
            part.write_ipc(self.directory / f"hash-{bucket}-{self.rows_valid:012d}.arrow")
        self.rows_valid += typed.height

    def batches(self, month: int | None = None):
        """The rows (of one month, or all), READ_ROWS or so at a time: files of a batch's month
        are small, so several are put together before they are handed on."""
        parts, rows = [], 0
        for settled, path in self.files:
            if month is not None and settled != month:
                continue
            frame = pl.read_ipc(path)
            parts.append(frame)
            rows += frame.height
            if rows >= READ_ROWS:
                yield pl.concat(parts)
                parts, rows = [], 0
        if parts:
            yield pl.concat(parts)

    def rows_in(self, month: int) -> int:
        return self.month_rows.get(month, 0)

    @property
    def months(self) -> list[int]:
        return sorted(self.month_rows)

    def has_repeats(self) -> bool:
        """Might a settlement number occur twice in the file? Exact when False; True also on a
        (vanishingly rare) hash collision — the caller then takes the merge, which is exact."""
        for bucket in range(HASH_BUCKETS):
            files = sorted(self.directory.glob(f"hash-{bucket}-*.arrow"))
            if not files:
                continue
            # Sorted, a repeat is two equal neighbours. (is_duplicated builds a hash table: at 10 M
            # rows it took the import's peak from 257 to 350 MB; sorting adds 40 MB.)
            hashes = pl.concat([pl.read_ipc(path) for path in files])["no_hash"].sort()
            if (hashes.slice(1) == hashes.slice(0, hashes.len() - 1)).any():
                return True
        return False
