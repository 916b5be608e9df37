"""Frames spilled to small files, a file per bucket of a key, and read back a bucket at a time: what
the import must see whole (every settlement number, every person's rows) without holding it whole
(repeats.py, last_rows.py). Memory holds about `flush_after` rows (a batch more, and twice that
for a moment while they are written), and at the end one bucket."""
from collections.abc import Iterator
from pathlib import Path

import polars as pl


class BucketSpill:
    """Rows added in any order; `buckets()` yields each bucket's rows together."""

    def __init__(self, directory: Path, name: str, *, buckets: int, flush_after: int):
        self._directory, self._name = directory, name
        self._count, self._flush_after = buckets, flush_after
        self._held: list[pl.DataFrame] = []
        self._held_rows = 0
        self._flushed = 0

    def add(self, frame: pl.DataFrame, key: str) -> None:
        """Rows whose bucket is their integer `key` modulo the number of buckets."""
        self._held.append(frame.with_columns(_bucket=(pl.col(key) % self._count).cast(pl.Int32)))
        self._held_rows += frame.height
        if self._held_rows >= self._flush_after:
            self._flush()

    def _flush(self) -> None:
        if not self._held:
            return
        frame = pl.concat(self._held)
        self._held, self._held_rows = [], 0
        for (bucket,), part in frame.partition_by("_bucket", as_dict=True, include_key=False).items():
            part.write_ipc(self._directory / f"{self._name}-{bucket}-{self._flushed:06d}.arrow")
        self._flushed += 1

    def buckets(self, *, delete: bool = False) -> Iterator[pl.DataFrame]:
        """Each non-empty bucket's rows (not rechunked: one copy of them in memory, not two);
        with delete=True its files go once read."""
        self._flush()
        for bucket in range(self._count):
            files = sorted(self._directory.glob(f"{self._name}-{bucket}-*.arrow"))
            if not files:
                continue
            rows = pl.concat([pl.read_ipc(path) for path in files], rechunk=False)
            if delete:
                for path in files:
                    path.unlink()
            yield rows
