"""Uploaded spreadsheets checked before any parser reads them, so memory stays bounded whatever
a file claims to hold.

An .xlsx is a zip of XML parts. A few hundred KB can hold gigabytes, and openpyxl — even in
read-only mode — keeps the whole shared-strings table in memory and builds each row, each cell's
text whole: one 300 MB cell cost 4.7 GB. `xlsx_check` reads the zip's directory and streams the
parts a reader would parse, a chunk at a time:

- every part's declared uncompressed size against the limits (zipfile never delivers more than
  a member declares: past it the data is cut and the CRC fails), and the bytes actually read;
- the shared strings through expat, counting each string's characters (rich-text runs of one
  string added up): none may exceed MAX_CELL_CHARS, Excel's own limit for a cell;
- every other XML part as bytes: no text run (where a cell's text is) longer than a cell can be,
  and in a worksheet no row longer than MAX_ROW_BYTES or with more cells than MAX_ROW_CELLS, and
  no row numbered past the limit's `max_row`;
- no DOCTYPE anywhere (entity expansion, the "billion laughs"): an .xlsx never has one.

A sheet's declared size (`<dimension ref="A1:XFD1048576"/>`) is never believed: openpyxl pads
every row to it, so 1.6 KB once read as a billion empty cells. Readers go through `sheet_rows`,
which reads the cells that are there, each row cut to the header's width.

Refusals are UploadRefused, a ValidationError with a Chinese message naming the limit.
"""
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO
from xml.parsers import expat

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

MAX_CELL_CHARS = 32_767  # Excel's own limit for the text of one cell
MAX_ROW_BYTES = 8 << 20  # one row of a sheet's XML: a settlement row is a few hundred bytes
MAX_OTHER_PART_BYTES = 32 << 20  # workbook, styles, relationships …: small in any real file
MAX_ROW_CELLS = 16_384  # Excel's own number of columns: a row cannot hold more cells
MAX_COLUMNS = 100  # a header wider than this is not one of our files (a settlement file has 14)
MAX_PARTS = 10_000
CHUNK = 1 << 16

_SHEET = re.compile(r"^xl/worksheets/[^/]+\.xml$")
_SHARED_STRINGS = "xl/sharedStrings.xml"
# A cell's text cannot hold more UTF-8 bytes than 4 per character (&amp; and the like are longer,
# but stand for one): a longer run is certainly too long; a run past MAX_CELL_CHARS bytes is counted.
# Tried only where a run starts (the look-behind): a run just under the limit is scanned once,
# not once per position in it.
_LONG_TEXT = re.compile(rb"(?<![^<])[^<]{%d,}" % (MAX_CELL_CHARS + 1))
# A row's start tag, whole (a tag cut by the end of a chunk is matched in the next one, whose
# carried tail starts at the last "<"), and its row number when it gives one.
_ROW_START = re.compile(rb"<row(?=[\s>/])([^>]*)>")
_ROW_NUMBER = re.compile(rb'\sr\s*=\s*["\']\s*(\d+)')
_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)


class UploadRefused(ValidationError):
    """An upload refused before it was parsed: too large, or holding more than a sheet can."""


@dataclass(frozen=True)
class XlsxLimits:
    part_bytes: int  # one worksheet or the shared strings, uncompressed
    total_bytes: int  # all parts together, uncompressed
    max_row: int  # the highest row number a sheet may use: openpyxl yields every row up to it


# Settlement files: a city's year, about a million rows (Excel's own limit is 1,048,576).
SETTLEMENT_XLSX = XlsxLimits(part_bytes=2 << 30, total_bytes=4 << 30, max_row=1_048_576)
# Donation imports and bank result files: thousands of rows at most.
SMALL_XLSX = XlsxLimits(part_bytes=64 << 20, total_bytes=128 << 20, max_row=100_000)


def _refuse(message: str, **params) -> UploadRefused:
    return UploadRefused(message % params, code="upload_refused")


def is_zip(head: bytes) -> bool:
    return head[:4] == b"PK\x03\x04"


def xlsx_check(source: str | BinaryIO, limits: XlsxLimits) -> None:
    """Raise UploadRefused unless the .xlsx at `source` (a path or a binary file) stays within
    `limits` and every cell within MAX_CELL_CHARS. Memory: a chunk or two, whatever the file."""
    try:
        with zipfile.ZipFile(source) as book:
            parts = book.infolist()
            if len(parts) > MAX_PARTS:
                raise _refuse("该 Excel 文件包含 %(n)s 个部件，超过上限 %(max)s 个", n=len(parts), max=MAX_PARTS)
            _check_declared(parts, limits)
            for part in parts:
                if part.filename == _SHARED_STRINGS:
                    _check_shared_strings(book, part)
                elif part.filename.endswith((".xml", ".rels", ".vml")):
                    _check_parts_text(book, part, max_row=limits.max_row if _SHEET.match(part.filename) else 0)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, NotImplementedError,
            RuntimeError, ValueError) as exc:  # RuntimeError: an encrypted part; ValueError: a bad header
        raise _refuse("无法读取 .xlsx 文件，请确认文件未损坏") from exc


def _check_declared(parts: list[zipfile.ZipInfo], limits: XlsxLimits) -> None:
    total = 0
    for part in parts:
        total += part.file_size
        if not part.filename.endswith((".xml", ".rels", ".vml")):
            continue  # pictures and the like: never parsed, counted in the total only
        limit = limits.part_bytes if part.filename == _SHARED_STRINGS or _SHEET.match(part.filename) \
            else MAX_OTHER_PART_BYTES
        if part.file_size > limit:
            raise _refuse("该 Excel 文件的部件 %(part)s 解压后为 %(size)s，超过上限 %(max)s：请拆分文件或另存为 CSV",
                          part=part.filename, size=filesizeformat(part.file_size), max=filesizeformat(limit))
    if total > limits.total_bytes:
        raise _refuse("该 Excel 文件解压后共 %(size)s，超过上限 %(max)s：请拆分文件或另存为 CSV",
                      size=filesizeformat(total), max=filesizeformat(limits.total_bytes))


def _chunks(book: zipfile.ZipFile, part: zipfile.ZipInfo):
    read = 0
    with book.open(part) as stream:
        while chunk := stream.read(CHUNK):
            read += len(chunk)
            if read > part.file_size:  # zipfile stops at the declared size; this is a second lock
                raise _refuse("该 Excel 文件的部件 %(part)s 实际大小与声明不符", part=part.filename)
            yield chunk


def _too_long_cell() -> UploadRefused:
    return _refuse("该 Excel 文件中有单元格内容超过 %(max)s 个字符（Excel 单元格的上限），已拒绝读取",
                   max=f"{MAX_CELL_CHARS:,}")


def _no_doctype(part: str):
    def refuse(*_args):
        raise _refuse("该 Excel 文件的部件 %(part)s 含有 DOCTYPE 声明，不是正常的 Excel 文件", part=part)

    return refuse


def _check_shared_strings(book: zipfile.ZipFile, part: zipfile.ZipInfo) -> None:
    """Each shared string (<si>, its rich-text runs added up) at most MAX_CELL_CHARS characters."""
    parser = expat.ParserCreate()
    length = 0

    def start(name, _attributes):
        nonlocal length
        if name == "si":
            length = 0

    def text(data):
        nonlocal length
        length += len(data)
        if length > MAX_CELL_CHARS:
            raise _too_long_cell()

    parser.StartElementHandler = start
    parser.CharacterDataHandler = text
    parser.StartDoctypeDeclHandler = _no_doctype(part.filename)
    parser.EntityDeclHandler = _no_doctype(part.filename)
    try:
        for chunk in _chunks(book, part):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise _refuse("无法读取该 Excel 文件：部件 %(part)s 不是有效的 XML", part=part.filename) from exc


def _check_parts_text(book: zipfile.ZipFile, part: zipfile.ZipInfo, *, max_row: int) -> None:
    """Byte-level, at the speed of the regex engine (a sheet has millions of elements): no text
    run longer than a cell, no DOCTYPE, and in a worksheet (`max_row` given) no row longer than
    MAX_ROW_BYTES, none with more than MAX_ROW_CELLS cells, none numbered past `max_row`."""
    carry, base, last_row = b"", 0, 0  # base: where data[0] is in the part; last_row: its last <row
    row_number = cells = counted = 0  # the last row's number, its cells so far, counted up to here
    for chunk in _chunks(book, part):
        data = carry + chunk
        if _DOCTYPE.search(data):
            _no_doctype(part.filename)()
        for match in _LONG_TEXT.finditer(data):
            run = match.group()
            # A run reaching the end of the chunk may go on: it is carried and looked at again.
            if len(run) > 4 * MAX_CELL_CHARS or (match.end() < len(data) and len(_text(run)) > MAX_CELL_CHARS):
                raise _too_long_cell()
        end = base + len(data)
        if max_row:
            for match in _ROW_START.finditer(data):
                at = base + match.start()
                if at <= last_row:
                    continue  # seen in the carried tail of the last chunk
                if at - last_row > MAX_ROW_BYTES:
                    raise _too_long_row()
                cells += _count_cells(data, counted - base, match.start())
                if cells > MAX_ROW_CELLS:
                    raise _too_many_cells()
                number = _ROW_NUMBER.search(match.group(1))
                row_number = int(number.group(1)) if number else row_number + 1
                if row_number > max_row:
                    raise _refuse("该 Excel 文件用到了第 %(row)s 行，超过上限 %(max)s 行：请删去多余的行或拆分文件",
                                  row=f"{row_number:,}", max=f"{max_row:,}")
                last_row, cells, counted = at, 0, at
            if end - last_row > MAX_ROW_BYTES:
                raise _too_long_row()
            # Cells are counted up to the end of what was read ("<c" cut in two is missed once:
            # the count is a bound, not a census).
            cells += _count_cells(data, counted - base, len(data))
            counted = end
            if cells > MAX_ROW_CELLS:
                raise _too_many_cells()
        # Carry the unfinished text run after the last "<", or enough to see a tag cut in two.
        last_tag = data.rfind(b"<")
        keep = len(data) - last_tag if last_tag >= 0 else len(data)
        keep = min(max(min(keep, 4 * MAX_CELL_CHARS + 1), 16), len(data))
        carry = data[-keep:]
        base = end - len(carry)


def _count_cells(data: bytes, start: int, stop: int) -> int:
    """Cell elements (<c …>, <c>, <c/>) in data[start:stop], without copying it."""
    start = max(start, 0)
    return data.count(b"<c ", start, stop) + data.count(b"<c>", start, stop) + data.count(b"<c/", start, stop)


def _too_many_cells() -> UploadRefused:
    return _refuse("该 Excel 文件中有一行超过 %(max)s 个单元格，已拒绝读取", max=f"{MAX_ROW_CELLS:,}")


def _too_long_row() -> UploadRefused:
    return _refuse("该 Excel 文件中有一行的数据超过 %(max)s，已拒绝读取", max=filesizeformat(MAX_ROW_BYTES))


def _text(run: bytes) -> str:
    """A run's text: what follows the end of the tag it starts in ("t>…" after "<")."""
    return run.partition(b">")[2].decode("utf-8", errors="replace")


def check_upload_size(upload, *, max_bytes: int, what: str) -> None:
    """An upload's size before anything reads it into memory."""
    if upload.size > max_bytes:
        raise _refuse("%(what)s为 %(size)s，超过上限 %(max)s，请拆分后分别上传",
                      what=what, size=filesizeformat(upload.size), max=filesizeformat(max_bytes))


def sheet_rows(sheet) -> Iterator[tuple]:
    """The rows of a read-only openpyxl sheet, as values, sized by what the sheet holds.

    The sheet's declared dimension is dropped (openpyxl would pad every row to it and yield every
    row up to it: 16,384 columns × 1,048,576 rows from a 1.6 KB file). The first row (the header)
    is read as far as its last non-empty cell; every later row is cut or padded to that width, so
    a stray cell far to the right costs nothing. A missing row is still yielded (empty), so row
    numbers stay those of the file; xlsx_check has bounded how many there can be."""
    sheet.reset_dimensions()
    first = sheet.iter_rows(max_row=1, values_only=True)
    try:
        header = list(next(first, ()))
    finally:
        first.close()
    while header and (header[-1] is None or not str(header[-1]).strip()):
        header.pop()
    if len(header) > MAX_COLUMNS:
        raise _refuse("该 Excel 文件的表头有 %(n)s 列，超过上限 %(max)s 列，请只保留需要导入的列",
                      n=f"{len(header):,}", max=MAX_COLUMNS)
    yield tuple(header)
    yield from sheet.iter_rows(min_row=2, max_col=max(len(header), 1), values_only=True)
