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
  and in a worksheet no row longer than MAX_ROW_BYTES;
- no DOCTYPE anywhere (entity expansion, the "billion laughs"): an .xlsx never has one.

Refusals are UploadRefused, a ValidationError with a Chinese message naming the limit.
"""
import re
import zipfile
import zlib
from dataclasses import dataclass
from typing import BinaryIO
from xml.parsers import expat

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

MAX_CELL_CHARS = 32_767  # Excel's own limit for the text of one cell
MAX_ROW_BYTES = 8 << 20  # one row of a sheet's XML: a settlement row is a few hundred bytes
MAX_OTHER_PART_BYTES = 32 << 20  # workbook, styles, relationships …: small in any real file
MAX_PARTS = 10_000
CHUNK = 1 << 16

_SHEET = re.compile(r"^xl/worksheets/[^/]+\.xml$")
_SHARED_STRINGS = "xl/sharedStrings.xml"
# A cell's text cannot hold more UTF-8 bytes than 4 per character (&amp; and the like are longer,
# but stand for one): a longer run is certainly too long; a run past MAX_CELL_CHARS bytes is counted.
# Tried only where a run starts (the look-behind): a run just under the limit is scanned once,
# not once per position in it.
_LONG_TEXT = re.compile(rb"(?<![^<])[^<]{%d,}" % (MAX_CELL_CHARS + 1))
_ROW_START = re.compile(rb"<row[\s>/]")
_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)


class UploadRefused(ValidationError):
    """An upload refused before it was parsed: too large, or holding more than a sheet can."""


@dataclass(frozen=True)
class XlsxLimits:
    part_bytes: int  # one worksheet or the shared strings, uncompressed
    total_bytes: int  # all parts together, uncompressed


# Settlement files: a city's year, about a million rows.
SETTLEMENT_XLSX = XlsxLimits(part_bytes=2 << 30, total_bytes=4 << 30)
# Donation imports and bank result files: thousands of rows at most.
SMALL_XLSX = XlsxLimits(part_bytes=64 << 20, total_bytes=128 << 20)


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
                    _check_parts_text(book, part, rows=bool(_SHEET.match(part.filename)))
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


def _check_parts_text(book: zipfile.ZipFile, part: zipfile.ZipInfo, *, rows: bool) -> None:
    """Byte-level, at the speed of the regex engine (a sheet has millions of elements): no text
    run longer than a cell, no DOCTYPE, and (for a worksheet) no row longer than MAX_ROW_BYTES."""
    carry, base, last_row = b"", 0, 0  # base: where data[0] is in the part; last_row: its last <row
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
        if rows:
            for match in _ROW_START.finditer(data):
                at = base + match.start()
                if at > last_row:
                    if at - last_row > MAX_ROW_BYTES:
                        raise _too_long_row()
                    last_row = at
            if end - last_row > MAX_ROW_BYTES:
                raise _too_long_row()
        # Carry the unfinished text run after the last "<", or enough to see a tag cut in two.
        last_tag = data.rfind(b"<")
        keep = len(data) - last_tag if last_tag >= 0 else len(data)
        keep = min(max(min(keep, 4 * MAX_CELL_CHARS + 1), 16), len(data))
        carry = data[-keep:]
        base = end - len(carry)


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
