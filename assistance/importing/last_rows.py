"""Each person's last valid row in a file, and who died or moved away (any of their rows says so),
found without holding every person in memory.

A person is written from their last row (partition.py). Finding it means grouping the whole file
by person; held in memory, that group was 14 bytes a person for the whole check — 56 MB at 30 M
rows' 4 M people, which took the import over its 300 MB. So each batch's lines (person key, row
number, flags) are spilled to a file per bucket of person keys (buckets.py), and at the end each
bucket is grouped on its own. What is kept: the last rows' numbers, sorted (4 bytes a
person), and the keys of the dead and of the moved (a few).
"""
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from .buckets import BucketSpill

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
        self._spill = BucketSpill(directory, "last", buckets=BUCKETS, flush_after=FLUSH_AFTER)

    def add(self, typed: pl.DataFrame) -> None:
        """One batch of valid rows (person_key, row_no, is_deceased, is_moved)."""
        self._spill.add(_last_rows(typed), "person_key")  # a person's rows within the batch: one line

    def finish(self) -> LastRows:
        """Each bucket grouped on its own; its files are deleted once read."""
        numbers, deceased, moved = [], [], []
        for lines in self._spill.buckets(delete=True):
            people = _last_rows(lines)
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
