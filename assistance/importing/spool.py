"""The checked rows of one file, spooled to Arrow files in a temporary directory (one per batch):
memory holds a batch or two whatever the file's size.

Each batch's rows are sorted by month of settlement (row order kept within a month), and the
spool notes where each month lies in each file: the loader reads a month (for its leaf,
partition.py) as one slice of each file, never the whole file again per month. Each row also carries a
64-bit hash of its settlement number, so repeats within the file are found without the database
or a table of every number (has_repeats).
"""
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

READ_ROWS = 10_000  # rows per frame handed on (30,000: +50 MB peak while COPYing, no faster)
HASH_BUCKETS = 8  # has_repeats holds one bucket of hashes at a time (≈ 10 MB at 10 M rows)


@dataclass
class Spool:
    """The checked file: its valid rows, its errors, each person's last row, and counts."""

    directory: Path
    files: list[tuple[Path, dict[int, tuple[int, int]]]] = field(default_factory=list)  # month → (offset, rows)
    month_rows: dict[int, int] = field(default_factory=dict)
    last_rows: pl.DataFrame | None = None  # person_key, row_no (their last valid row), is_deceased (any row)
    rows_total: int = 0
    rows_rejected: int = 0
    rows_valid: int = 0

    @property
    def errors(self) -> Path:
        return self.directory / "errors.tsv"

    def add(self, typed: pl.DataFrame) -> None:
        """Spool one batch of valid rows."""
        frame = typed.with_columns(settled_month=pl.col("settled_on").dt.month(),
                                   no_hash=pl.col("settlement_no").hash(seed=15)).sort("settled_month",
                                                                                        maintain_order=True)
        months, offset = {}, 0
        for month, count in frame.group_by("settled_month", maintain_order=True).len().iter_rows():
            months[month] = (offset, count)
            self.month_rows[month] = self.month_rows.get(month, 0) + count
            offset += count
        path = self.directory / f"{len(self.files):06d}.arrow"
        frame.drop("settled_month").write_ipc(path)
        self.files.append((path, months))
        self.rows_valid += frame.height

    def batches(self, month: int | None = None):
        """The rows (of one month, or all), READ_ROWS or so at a time."""
        parts, rows = [], 0
        for path, months in self.files:
            if month is not None and month not in months:
                continue
            # A month is a slice of the file (sorted by month): the scan reads only that slice.
            frame = (pl.scan_ipc(path).slice(*months[month]).collect() if month is not None
                     else pl.read_ipc(path))
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
            hashes = pl.concat([pl.scan_ipc(path).select("no_hash").filter(pl.col("no_hash") % HASH_BUCKETS == bucket)
                                .collect() for path, _ in self.files]
                               or [pl.DataFrame(schema={"no_hash": pl.UInt64})])
            if hashes["no_hash"].is_duplicated().any():
                return True
        return False
