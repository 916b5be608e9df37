"""Does a file repeat one of its own settlement numbers? Answered without the database or a table
of every number: each number's 64-bit hash goes to one of 16 buckets, spilled to small files
(buckets.py), and at the end each bucket is sorted on its own and a repeat is two equal
neighbours."""
from pathlib import Path

import polars as pl

from .buckets import BucketSpill

BUCKETS = 16  # has_repeats holds one bucket of hashes at a time (≈ 5 MB at 10 M rows)
FLUSH_AFTER = 200_000  # hashes held in memory before they are written out (2.4 MB; 1 M put a monthly file at 293 MB)


class SettlementNumbers:
    """The hashes of a file's settlement numbers, by bucket, in a directory of the import's own."""

    def __init__(self, directory: Path):
        self._spill = BucketSpill(directory, "hash", buckets=BUCKETS, flush_after=FLUSH_AFTER)

    def add(self, numbers: pl.Series) -> None:
        self._spill.add(numbers.hash(seed=15).alias("no_hash").to_frame(), "no_hash")

    def has_repeats(self) -> bool:
        """Might a settlement number occur twice? Exact when False; True also on a (vanishingly
        rare) hash collision — the caller then takes the merge, which is exact."""
        for bucket in self._spill.buckets():
            # Sorted, a repeat is two equal neighbours. (is_duplicated builds a hash table: at 10 M
            # rows it took the import's peak from 257 to 350 MB; sorting adds 40 MB.)
            hashes = bucket["no_hash"].sort()
            if (hashes.slice(1) == hashes.slice(0, hashes.len() - 1)).any():
                return True
        return False
