"""The checked rows of one file, spooled to Arrow files in a temporary directory: memory holds
HOLD_ROWS rows or so whatever the file's size.

The rows are held until there are HOLD_ROWS of them, then written as a file per month of
settlement, so the loader reads a month (for its leaf, partition.py) without reading the others.
(A file per month and batch — 13,000 rows — made 21,000 small files at 10 M rows and cost a third
of the reading's time; files sorted by month and read as slices kept the whole file in memory
per slice: 326 MB peak.) The settlement numbers are hashed on the way (repeats.py), so repeats
within the file are found without the database or a table of every number (has_repeats).
"""
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from .last_rows import LastRows
from .repeats import SettlementNumbers

READ_ROWS = 10_000  # rows per frame handed on (30,000: +50 MB peak while COPYing, no faster)
HOLD_ROWS = 20_000  # rows held before they are written, a file per month (≈ 5.5 MB)


@dataclass
class Spool:
    """The checked file: its valid rows, its errors, each person's last row, and counts."""

    directory: Path
    files: list[tuple[int, Path]] = field(default_factory=list)  # (month settled, Arrow file); a month's in row order
    month_rows: dict[int, int] = field(default_factory=dict)
    last_rows: LastRows | None = None  # each person's last valid row; the dead and the moved (last_rows.py)
    rows_total: int = 0
    rows_rejected: int = 0
    rows_valid: int = 0
    _held: list[pl.DataFrame] = field(default_factory=list)
    _held_rows: int = 0
    _numbers: SettlementNumbers | None = None

    @property
    def errors(self) -> Path:
        return self.directory / "errors.tsv"

    def add(self, typed: pl.DataFrame) -> None:
        """Spool one batch of valid rows (written once HOLD_ROWS are held; finish() writes the rest)."""
        if self._numbers is None:
            self._numbers = SettlementNumbers(self.directory)
        self._numbers.add(typed["settlement_no"])
        self._held.append(typed)
        self._held_rows += typed.height
        self.rows_valid += typed.height
        if self._held_rows >= HOLD_ROWS:
            self._write_held()

    def finish(self) -> None:
        self._write_held()

    def _write_held(self) -> None:
        if not self._held:
            return
        frame = pl.concat(self._held).with_columns(settled_month=pl.col("settled_on").dt.month())
        self._held, self._held_rows = [], 0
        for (month,), part in frame.partition_by("settled_month", as_dict=True, include_key=False).items():
            path = self.directory / f"{len(self.files):09d}-{month:02d}.arrow"
            part.write_ipc(path)
            self.files.append((month, path))
            self.month_rows[month] = self.month_rows.get(month, 0) + part.height

    def batches(self, month: int | None = None, columns: list[str] | None = None):
        """The rows (of one month, or all; all columns or those named), READ_ROWS or so at a
        time: files of a batch's month are small, so several are put together."""
        parts, rows = [], 0
        for settled, path in self.files:
            if month is not None and settled != month:
                continue
            frame = pl.read_ipc(path, columns=columns)
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
        """Might a settlement number occur twice in the file? Exact when False (repeats.py)."""
        return self._numbers is not None and self._numbers.has_repeats()
