"""A settlement file as batches of text cells (polars frames): memory stays flat whatever its size.

CSV is cut into pieces of about PIECE_BYTES at record boundaries, and polars parses each piece
(several threads, no Python per row). A piece polars cannot show to hold exactly `width` cells in
every row (a short or long row, a blank line) is parsed again by Python's csv module, which is what
the reference loader reads with, so row numbers and "wrong number of cells" errors are the same on
both paths. From the first quote no CSV writer would have written, or a line ended by CR alone,
the csv module reads the rest of the file (still streaming): there the two readers would differ. GBK files are converted piece by piece. An .xlsx (at most about a
million rows) is read row by row with openpyxl and its typed cells written as the text rules.py
reads them.

Row numbers: `row_no` is the record's index from 1 after the header, blank records included; its
line in the spreadsheet (the header is line 1) is row_no + 1.
"""
import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from .columns import ImportFileError
from .reader import MAX_LINE_CHARS, bounded_lines, csv_error, detect_encoding, is_xlsx, iter_rows, line_too_long
from .rules import cell_text

PIECE_BYTES = 2 << 20  # ≈ 13,000 rows: 3 MB checks a tenth faster but a monthly file then peaked at 284 MB, 4 MB at 291
ROWS_PER_BATCH = 50_000  # rows read by Python (.xlsx, the exact CSV path) per batch
MAX_RECORD_BYTES = 4 * MAX_LINE_CHARS  # one record (quoted cells may hold line ends): beyond, refused
# Python's str.isspace() characters (none lies above U+3000): a cell of only these is blank.
WHITESPACE = "".join(chr(code) for code in range(0x3001) if chr(code).isspace())


@dataclass
class Batch:
    cells: pl.DataFrame  # row_no (Int64) and f0 … f{width-1} (String); blank rows left out
    ragged: list[tuple[int, int]]  # (row_no, number of cells) of rows whose width is wrong
    records: int  # records read, blank ones included


def cell_names(width: int) -> list[str]:
    return [f"f{index}" for index in range(width)]


def iter_batches(path: Path, width: int) -> Iterator[Batch]:
    """Yield the file's rows after the header, in order, a batch at a time."""
    if is_xlsx(path):
        yield from _xlsx_batches(path, width)
        return
    encoding = detect_encoding(path)
    yield from _csv_batches(path, width, encoding)


# ------------------------------------------------------------------------------------------- CSV

class _NotPlainCsv(Exception):
    """A quote no CSV writer would write (inside an unquoted cell, or a cell going on after its
    closing quote) or a line ended by CR alone: record boundaries and cells then depend on reading
    rules polars does not share with the csv module, so the csv module reads the rest."""


def _csv_batches(path: Path, width: int, encoding: str) -> Iterator[Batch]:
    with open(path, "rb") as handle:
        head = b""
        try:
            while (start := _record_end(head, first=True)) is None:  # just past the header record
                if len(head) > MAX_RECORD_BYTES:
                    raise line_too_long()
                more = handle.read(PIECE_BYTES)
                if not more:
                    return  # a header and nothing else
                head += more
        except _NotPlainCsv:
            handle.seek(0)
            yield from _exact_stream(handle, width, encoding, 0, after_header=True)
            return
        handle.seek(start)
        row_no = 0
        carry = b""
        while True:
            data = handle.read(PIECE_BYTES)
            buffer = carry + data if carry else data
            if not buffer:
                return
            try:
                if data:
                    cut = _record_end(buffer)
                else:  # the last piece: checked to its end, then parsed whole
                    _record_end(buffer, final=True)
                    cut = len(buffer)
            except _NotPlainCsv:
                handle.seek(handle.tell() - len(buffer))
                yield from _exact_stream(handle, width, encoding, row_no)
                return
            if cut is None:  # a record longer than the buffer (a very long quoted cell): read on
                if len(buffer) > MAX_RECORD_BYTES:
                    raise line_too_long()  # a record no settlement file has: memory stays bounded
                carry = buffer
                continue
            piece, carry = buffer[:cut], buffer[cut:]
            batch = _parse_piece(_to_utf8(piece, encoding), width, row_no)
            row_no += batch.records
            yield batch


def _record_end(buffer: bytes, *, first: bool = False, final: bool = False) -> int | None:
    """Just past the last (or the first) line end outside quotes, following RFC 4180 the way a CSV
    writer writes: a quote opens a cell only at its start and closes it only at its end; "" inside
    is a quote. The buffer starts at a record boundary; unless it is `final`, more of the file
    follows it. Linear: it steps from quote to quote. Raises _NotPlainCsv for anything else."""
    returns = buffer.count(b"\r")
    if returns:
        cut_crlf = not final and buffer.endswith(b"\r")  # the read ended between CR and LF
        if returns - buffer.count(b"\r\n") - cut_crlf:
            raise _NotPlainCsv  # a line ended by CR alone
    end, position, length = None, 0, len(buffer)
    while True:
        quote = buffer.find(b'"', position)
        stop = length if quote < 0 else quote
        newline = buffer.find(b"\n", position, stop) if first else buffer.rfind(b"\n", position, stop)
        if newline >= 0:
            end = newline + 1
            if first:
                return end
        if quote < 0:
            return end
        if quote > 0 and buffer[quote - 1] not in b",\n":
            raise _NotPlainCsv  # a quote inside an unquoted cell
        inside = quote + 1
        while True:  # to the quote that closes the cell
            close = buffer.find(b'"', inside)
            if close < 0 and final:
                raise _NotPlainCsv  # a quoted cell the file never closes
            if close < 0 or close + 1 == length and not final:
                return end  # the cell goes on past the buffer: cut before it
            if close + 1 == length:
                return length
            if buffer[close + 1] == ord('"'):
                inside = close + 2  # "" is a quote inside the cell
                continue
            if buffer[close + 1] not in b",\r\n":
                raise _NotPlainCsv  # the cell goes on after its closing quote
            break
        position = close + 1


def _to_utf8(piece: bytes, encoding: str) -> bytes:
    if encoding in ("utf-8", "utf-8-sig"):
        return piece  # polars checks it is valid UTF-8; the exact path reports it if not
    try:
        # A piece ends at a newline, which no GBK/GB18030 character contains: no character is cut.
        return piece.decode(encoding).encode("utf-8")
    except UnicodeDecodeError as exc:
        raise ImportFileError("文件编码无法识别：请保存为 UTF-8 或 GBK 编码的 CSV，或 .xlsx") from exc


def _parse_piece(piece: bytes, width: int, first: int) -> Batch:
    names = cell_names(width)
    try:
        frame = pl.read_csv(piece, has_header=False, new_columns=names, schema={name: pl.String for name in names},
                            empty_string_is_null=False, truncate_ragged_lines=False, raise_if_empty=False,
                            comment_prefix=None, quote_char='"')
    except pl.exceptions.PolarsError:  # a row with too many cells, invalid UTF-8, …
        return _parse_exactly(piece, width, first)
    if not _every_row_full(piece, frame, width):
        return _parse_exactly(piece, width, first)
    frame = frame.with_columns(row_no=pl.int_range(first + 1, first + 1 + frame.height, dtype=pl.Int64))
    return Batch(cells=_without_blank_rows(frame.select("row_no", *names)), ragged=[], records=frame.height)


def _every_row_full(piece: bytes, frame: pl.DataFrame, width: int) -> bool:
    """Polars fills a short row's missing cells with "", so count the separators instead: no row
    has more than width - 1 (polars refuses those), so exactly (width - 1) × rows means none has
    fewer. Commas inside quoted cells are not separators."""
    separators = piece.count(b",")
    if b'"' in piece and frame.height:
        separators -= frame.select(
            pl.sum_horizontal(pl.all().str.count_matches(",", literal=True)).sum()).item()
    return separators == (width - 1) * frame.height


def _without_blank_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """A row whose every cell is empty or white space is not a row (a blank line, ",,,,")."""
    cells = [name for name in frame.columns if name != "row_no"]
    if frame.select(pl.col(cells[0]).str.contains(_NOT_SPACE).all()).item():
        return frame  # every first cell has content: the usual case, one column looked at
    return frame.filter(pl.any_horizontal(pl.col(cells).str.contains(_NOT_SPACE)))


_NOT_SPACE = r"[^\s\x1c-\x1f]"  # a character Python's str.strip() keeps


def _parse_exactly(piece: bytes, width: int, first: int) -> Batch:
    try:
        text = piece.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ImportFileError("文件编码无法识别：请保存为 UTF-8 或 GBK 编码的 CSV，或 .xlsx") from exc
    rows = _csv_reader(io.StringIO(text, newline=""))
    return _batch_from_rows(rows, width, first, pad=False)


def _exact_stream(handle, width: int, encoding: str, first: int, *, after_header: bool = False
                  ) -> Iterator[Batch]:
    text = io.TextIOWrapper(handle, encoding=codecs.lookup(encoding).name, newline="")
    rows = _csv_reader(text)
    if after_header:
        next(rows, None)
    yield from _row_batches(rows, width, first, pad=False)


def _csv_reader(text) -> Iterator[list[str]]:
    try:
        yield from csv.reader(bounded_lines(text))
    except UnicodeDecodeError as exc:
        raise ImportFileError("文件编码无法识别：请保存为 UTF-8 或 GBK 编码的 CSV，或 .xlsx") from exc
    except csv.Error as exc:
        raise csv_error(exc) from exc


# ------------------------------------------------------------------------------------------ rows

def _batch_from_rows(rows: Iterator[list], width: int, first: int, *, pad: bool,
                     limit: int | None = None) -> Batch:
    """Rows as Python lists (csv module, openpyxl) → a batch, with the reference loader's rules:
    blank rows left out, a row of the wrong width reported (an .xlsx leaves trailing empty cells
    out, so a short spreadsheet row is padded)."""
    columns: list[list[str]] = [[] for _ in range(width)]
    numbers: list[int] = []
    ragged: list[tuple[int, int]] = []
    records = 0
    for row in rows:
        records += 1
        row_no = first + records
        cells = [cell_text(value) for value in row]
        if not any(cell.strip() for cell in cells):
            pass
        elif len(cells) == width or (pad and len(cells) < width):
            cells += [""] * (width - len(cells))
            numbers.append(row_no)
            for column, value in zip(columns, cells):
                column.append(value)
        else:
            ragged.append((row_no, len(cells)))
        if limit and records >= limit:
            break
    frame = pl.DataFrame({"row_no": pl.Series(numbers, dtype=pl.Int64),
                          **{name: pl.Series(values, dtype=pl.String)
                             for name, values in zip(cell_names(width), columns)}})
    return Batch(cells=frame, ragged=ragged, records=records)


def _xlsx_batches(path: Path, width: int) -> Iterator[Batch]:
    rows = iter_rows(path)
    next(rows, None)  # the header
    yield from _row_batches(rows, width, 0, pad=True)


def _row_batches(rows: Iterator[list], width: int, first: int, *, pad: bool) -> Iterator[Batch]:
    while True:
        batch = _batch_from_rows(rows, width, first, pad=pad, limit=ROWS_PER_BATCH)
        if not batch.records:
            return
        first += batch.records
        yield batch
