"""Does a file repeat one of its own settlement numbers? Answered without the database or a table
of every number: each number's 64-bit hash goes to one of 16 buckets, kept in memory up to
FLUSH_AFTER hashes and then written to a small file; at the end, each bucket is sorted on its
own and a repeat is two equal neighbours."""
from pathlib import Path

import polars as pl

BUCKETS = 16  # has_repeats holds one bucket of hashes at a time (≈ 5 MB at 10 M rows)
FLUSH_AFTER = 200_000  # hashes held in memory before they are written out (2.4 MB; 1 M put a monthly file at 293 MB)


class SettlementNumbers:
    """The hashes of a file's settlement numbers, by bucket, in a directory of the import's own."""

    def __init__(self, directory: Path):
        self._directory = directory
        self._held: list[pl.DataFrame] = []
        self._held_rows = 0
        self._flushed = 0

    def add(self, numbers: pl.Series) -> None:
        hashes = numbers.hash(seed=15).alias("no_hash").to_frame()
        self._held.append(hashes.with_columns(bucket=(pl.col("no_hash") % BUCKETS).cast(pl.Int32)))
        self._held_rows += hashes.height
        if self._held_rows >= FLUSH_AFTER:
            self._flush()

    def _flush(self) -> None:
        if not self._held:
            return
        frame = pl.concat(self._held)
        self._held, self._held_rows = [], 0
        for (bucket,), part in frame.partition_by("bucket", as_dict=True, include_key=False).items():
            part.write_ipc(self._directory / f"hash-{bucket}-{self._flushed:06d}.arrow")
        self._flushed += 1

    def has_repeats(self) -> bool:
        """Might a settlement number occur twice? Exact when False; True also on a (vanishingly
        rare) hash collision — the caller then takes the merge, which is exact."""
        self._flush()
        for bucket in range(BUCKETS):
            files = sorted(self._directory.glob(f"hash-{bucket}-*.arrow"))
            if not files:
                continue
            # Sorted, a repeat is two equal neighbours. (is_duplicated builds a hash table: at 10 M
            # rows it took the import's peak from 257 to 350 MB; sorting adds 40 MB.)
            hashes = pl.concat([pl.read_ipc(path) for path in files], rechunk=False)["no_hash"].sort()
            if (hashes.slice(1) == hashes.slice(0, hashes.len() - 1)).any():
                return True
        return False
