"""Each person's last valid row in a file, and who died or moved away (any of their rows says so),
found without holding every person in memory.

A person is written from their last row (partition.py). Finding it means grouping the whole file
by person; held in memory, that group was 14 bytes a person for the whole check — 56 MB at 30 M
rows' 4 M people, which took the import over its 300 MB. So each batch's lines (person key, row
number, flags) go to a file per bucket of person keys, held up to FLUSH_AFTER lines first, and at
the end each bucket is grouped on its own. What is kept: the last rows' numbers, sorted (4 bytes a
person), and the keys of the dead and of the moved (a few).
"""
from dataclasses import dataclass
from pathlib import Path

import polars as pl

BUCKETS = 32  # one bucket's lines at a time at the end: ≈ 1 M lines, 13 MB, at 30 M rows
FLUSH_AFTER = 200_000  # lines held before they are written out (≈ 3 MB)


@dataclass
class LastRows:
    """What the people's write needs of the file (partition._person_lines)."""

    row_numbers: pl.Series  # each person's last valid row, sorted (UInt32)
    deceased: pl.Series  # person keys, sorted (Int64)
    moved: pl.Series  # person keys, sorted (Int64)


class LastRowFinder:
    """Collects the lines batch by batch (add), then finds each person's last row (finish)."""

    def __init__(self, directory: Path):
        self._directory = directory
        self._held: list[pl.DataFrame] = []
        self._held_lines = 0
        self._flushed = 0

    def add(self, typed: pl.DataFrame) -> None:
        """One batch of valid rows (person_key, row_no, is_deceased, is_moved)."""
        lines = _last_rows(typed)  # a person's rows within the batch: one line
        self._held.append(lines)
        self._held_lines += lines.height
        if self._held_lines >= FLUSH_AFTER:
            self._flush()

    def _flush(self) -> None:
        if not self._held:
            return
        frame = pl.concat(self._held).with_columns(bucket=(pl.col("person_key") % BUCKETS).cast(pl.Int32))
        self._held, self._held_lines = [], 0
        for (bucket,), part in frame.partition_by("bucket", as_dict=True, include_key=False).items():
            part.write_ipc(self._directory / f"last-{bucket}-{self._flushed:06d}.arrow")
        self._flushed += 1

    def finish(self) -> LastRows:
        """Each bucket grouped on its own; its files are deleted once read."""
        self._flush()
        numbers, deceased, moved = [], [], []
        for bucket in range(BUCKETS):
            files = sorted(self._directory.glob(f"last-{bucket}-*.arrow"))
            if not files:
                continue
            # Not rechunked: one copy of the bucket's lines, not two.
            people = _last_rows(pl.concat([pl.read_ipc(path) for path in files], rechunk=False))
            for path in files:
                path.unlink()
            numbers.append(people["row_no"])
            deceased.append(people.filter("is_deceased")["person_key"])
            moved.append(people.filter("is_moved")["person_key"])
        return LastRows(row_numbers=_sorted(numbers, pl.UInt32), deceased=_sorted(deceased, pl.Int64),
                        moved=_sorted(moved, pl.Int64))


def _last_rows(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.group_by("person_key").agg(pl.col("row_no").max().cast(pl.UInt32), pl.col("is_deceased").any(),
                                              pl.col("is_moved").any())


def _sorted(parts: list[pl.Series], dtype) -> pl.Series:
    return pl.concat(parts).sort() if parts else pl.Series(values=[], dtype=dtype)
