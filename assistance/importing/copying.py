"""COPY between PostgreSQL and polars frames, streamed: memory holds a batch or two, never a file."""
import queue
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path

import polars as pl

_DONE = object()


def text_chunks(frames: Iterable[pl.DataFrame]) -> Iterator[bytes]:
    """Frames in COPY's text format (tab-separated, \\N for NULL): PostgreSQL reads it a fifth
    faster than CSV. Backslash, tab, newline and carriage return in strings are escaped."""
    for frame in frames:
        if frame.height:
            escaped = frame.with_columns(pl.col(pl.String).str.replace_many(_SPECIAL, _ESCAPED))
            yield escaped.write_csv(include_header=False, separator="\t", quote_style="never",
                                    null_value="\\N").encode()


_SPECIAL = ["\\", "\t", "\n", "\r"]
_ESCAPED = ["\\\\", "\\t", "\\n", "\\r"]


def copy_in(cursor, sql: str, chunks: Iterator[bytes]) -> None:
    """Run `COPY … FROM STDIN`, fed from `chunks` produced in a second thread: polars prepares the
    next batch (without the GIL) while PostgreSQL parses this one, so both cores work."""
    feed: queue.Queue = queue.Queue(maxsize=3)
    stop = threading.Event()
    failure: list[BaseException] = []

    def put(item) -> bool:
        while not stop.is_set():
            try:
                feed.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for chunk in chunks:
                if not put(chunk):
                    return
        except BaseException as exc:  # re-raised in the caller's thread below
            failure.append(exc)
        finally:
            put(_DONE)

    producer = threading.Thread(target=produce, name="copy-producer", daemon=True)
    producer.start()
    try:
        cursor.copy_expert(sql, _QueueReader(feed), 1 << 20)
    finally:
        stop.set()
        producer.join()
    if failure:
        # COPY has ended early with what it had; the import's transaction is rolled back.
        raise failure[0]


def copy_out(cursor, sql: str, path: Path) -> None:
    """`COPY (…) TO STDOUT` into a file, for polars to read back without holding the text."""
    with open(path, "wb") as handle:
        cursor.copy_expert(sql, handle, 1 << 20)


class _QueueReader:
    """The file-like object COPY FROM reads: the producer's chunks, in order, until it is done."""

    def __init__(self, feed: queue.Queue):
        self._feed = feed
        self._chunk = memoryview(b"")
        self._done = False

    def read(self, size: int = -1) -> bytes:
        """Up to `size` bytes of the current chunk (b"" at the end): no copying of whole chunks."""
        while not self._chunk and not self._done:
            item = self._feed.get()
            if item is _DONE:
                self._done = True
            else:
                self._chunk = memoryview(item)
        size = len(self._chunk) if size is None or size < 0 else size
        data, self._chunk = self._chunk[:size], self._chunk[size:]
        return data.tobytes()
