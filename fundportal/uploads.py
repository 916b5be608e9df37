"""Uploaded spreadsheets checked before any parser reads them, so memory and time stay bounded
whatever a file claims to hold.

An .xlsx is a zip of XML parts. A few hundred KB can hold gigabytes, and openpyxl — even in
read-only mode — keeps the whole shared-strings table in memory and builds each row, each cell's
text whole: one 300 MB cell cost 4.7 GB. `xlsx_check` reads the zip's directory, then streams every
part through expat, the parser openpyxl's own reader (ElementTree) is built on, a chunk at a time:

- every part's declared uncompressed size against the limits (zipfile never delivers more than
  a member declares: past it the data is cut and the CRC fails), and the bytes actually read;
- elements are matched as openpyxl matches them, by namespace and local name, whatever prefix
  the file binds (<x:row> is a row), and in every part, whatever it is called (openpyxl finds a
  sheet through the workbook's relationships, not by its name);
- a row's number is read as openpyxl reads it (r="5", r="5.0", r="&#53;", none: the last plus
  one): none past the limit's `max_row`, no row inside a row or a cell, none with more cells
  (children, whatever their name) than MAX_ROW_CELLS or more bytes than MAX_ROW_BYTES;
- no text run longer than a cell can be (MAX_CELL_CHARS, Excel's own limit), no shared string
  (<si>, its rich-text runs added up) longer, no cell holding more than a cell and a formula;
- no DOCTYPE (entity expansion, the "billion laughs": an .xlsx never has one) and no single tag,
  comment or instruction longer than MAX_TOKEN_BYTES (expat keeps an unfinished one whole).

A part that is not XML (a picture) ends its own scan at its first byte: openpyxl, reading with
the same parser, could read no further than the check has.

A sheet's declared size (`<dimension ref="A1:XFD1048576"/>`) is never believed: openpyxl pads
every row to it, so 1.6 KB once read as a billion empty cells. Readers go through `sheet_rows`,
which yields the rows the file holds with their numbers, each cut to the header's width; a row
missing from the file costs nothing (openpyxl would yield an empty row for each one missing:
50 million of them from a file of 1.6 KB).

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
MAX_FORMULA_CHARS = 8_192  # Excel's own limit for a formula: a cell may hold one besides its value
MAX_ROW_BYTES = 8 << 20  # one row of a sheet's XML: a settlement row is a few hundred bytes
MAX_TOKEN_BYTES = 1 << 20  # one tag, comment or processing instruction: a few hundred bytes in a real file
MAX_OTHER_PART_BYTES = 32 << 20  # workbook, styles, relationships …: small in any real file
MAX_ROW_CELLS = 16_384  # Excel's own number of columns: a row cannot hold more cells
MAX_COLUMNS = 100  # a header wider than this is not one of our files (a settlement file has 14)
MAX_PARTS = 10_000
CHUNK = 1 << 16

SHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_ROW = f"{SHEET_NS} row"  # expat's name for the element, namespace and local name (separator " ")
_SHARED_STRING = f"{SHEET_NS} si"
_SHEET = re.compile(r"^xl/worksheets/[^/]+\.xml$")
_SHARED_STRINGS = "xl/sharedStrings.xml"
_XML_PARTS = (".xml", ".rels", ".vml")


class UploadRefused(ValidationError):
    """An upload refused before it was parsed: too large, or holding more than a sheet can."""


@dataclass(frozen=True)
class XlsxLimits:
    part_bytes: int  # one worksheet or the shared strings, uncompressed
    total_bytes: int  # all parts together, uncompressed
    max_row: int  # the highest row number a sheet may use


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
                _check_part(book, part, max_row=limits.max_row)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, NotImplementedError,
            RuntimeError, ValueError) as exc:  # RuntimeError: an encrypted part; ValueError: a bad header
        raise _refuse("无法读取 .xlsx 文件，请确认文件未损坏") from exc


def _check_declared(parts: list[zipfile.ZipInfo], limits: XlsxLimits) -> None:
    total = 0
    for part in parts:
        total += part.file_size
        # A part with an ordinary name is held to its kind's limit; any other may be a sheet
        # (the workbook's relationships name it), and is held to a sheet's.
        small = part.filename.endswith(_XML_PARTS) and not (part.filename == _SHARED_STRINGS
                                                             or _SHEET.match(part.filename))
        limit = MAX_OTHER_PART_BYTES if small else limits.part_bytes
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


def _too_many_cells() -> UploadRefused:
    return _refuse("该 Excel 文件中有一行超过 %(max)s 个单元格，已拒绝读取", max=f"{MAX_ROW_CELLS:,}")


def _too_long_row() -> UploadRefused:
    return _refuse("该 Excel 文件中有一行的数据超过 %(max)s，已拒绝读取", max=filesizeformat(MAX_ROW_BYTES))


def _too_far(row: int, max_row: int) -> UploadRefused:
    return _refuse("该 Excel 文件用到了第 %(row)s 行，超过上限 %(max)s 行：请删去多余的行或拆分文件",
                   row=f"{row:,}", max=f"{max_row:,}")




def row_number(attribute: str | None, previous: int) -> int:
    """A row's number as openpyxl reads its r attribute (int, else a whole float; none: the last
    plus one). ValueError for anything else, as openpyxl raises."""
    if attribute is None:
        return previous + 1
    try:
        return int(attribute)
    except ValueError:
        value = float(attribute)
        if not value.is_integer():
            raise
        return int(value)


def _check_part(book: zipfile.ZipFile, part: zipfile.ZipInfo, *, max_row: int) -> None:
    """One part through expat with the rules above. Python runs for each element (a sheet has
    millions): the handlers do as little as they can."""
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True  # a text run arrives in few pieces, not one per line or entity
    depth = 0  # of the element being read
    row_depth = cell_depth = 0  # of the row being read and of its cells (0: not in a row)
    number = cells = row_start = 0  # the last row's number; the current row's cells and first byte
    unit_depth = 0  # of the cell or shared string whose text is being added up (0: none)
    unit_limit = MAX_CELL_CHARS
    run = unit_text = 0  # characters in the current text run, and in the current cell (or element)

    def start(name, attributes):
        nonlocal depth, row_depth, cell_depth, number, cells, row_start, unit_depth, unit_limit, run, unit_text
        depth += 1
        run = 0
        if name == _ROW:  # wherever it is: openpyxl reads every element so named as a row
            if row_depth or unit_depth:  # openpyxl would read it as a row, and its children as cells
                raise _refuse("该 Excel 文件的部件 %(part)s 中有一行套在另一行或单元格里，不是正常的 Excel 文件",
                              part=part.filename)
            number = row_number(attributes.get("r"), number)
            if number > max_row:
                raise _too_far(number, max_row)
            row_depth, cell_depth, cells, row_start = depth, depth + 1, 0, parser.CurrentByteIndex
        elif depth == cell_depth:  # a child of a row: a cell to openpyxl, whatever its name
            cells += 1
            if cells > MAX_ROW_CELLS:
                raise _too_many_cells()
            unit_depth, unit_limit, unit_text = depth, MAX_CELL_CHARS + MAX_FORMULA_CHARS, 0
        elif not unit_depth:
            if name == _SHARED_STRING:
                unit_depth, unit_limit = depth, MAX_CELL_CHARS
            else:
                unit_limit = MAX_CELL_CHARS  # outside cells each element's text is counted alone
            unit_text = 0

    def end(_name):
        nonlocal depth, row_depth, cell_depth, unit_depth, run
        if depth == unit_depth:
            unit_depth = 0
        elif depth == row_depth:
            if parser.CurrentByteIndex - row_start > MAX_ROW_BYTES:
                raise _too_long_row()
            row_depth = cell_depth = 0
        depth -= 1
        run = 0

    def text(data):
        nonlocal run, unit_text
        run += len(data)
        unit_text += len(data)
        if run > MAX_CELL_CHARS or unit_text > unit_limit:
            raise _too_long_cell()

    def doctype(*_args):
        raise _refuse("该 Excel 文件的部件 %(part)s 含有 DOCTYPE 声明，不是正常的 Excel 文件", part=part.filename)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    parser.StartDoctypeDeclHandler = parser.EntityDeclHandler = doctype
    fed = 0
    try:
        for chunk in _chunks(book, part):
            parser.Parse(chunk, False)
            fed += len(chunk)
            # Outside a handler expat's index is just past its last event: what lies beyond is an
            # unfinished token, which it keeps whole.
            if fed - parser.CurrentByteIndex > MAX_TOKEN_BYTES:
                raise _refuse("该 Excel 文件的部件 %(part)s 中有一个标记超过 %(max)s，不是正常的 Excel 文件",
                              part=part.filename, max=filesizeformat(MAX_TOKEN_BYTES))
            if row_depth and fed - row_start > MAX_ROW_BYTES:
                raise _too_long_row()
        parser.Parse(b"", True)
    except expat.ExpatError:
        return  # not XML (a picture), or XML broken here: openpyxl's parser stops here too


def check_upload_size(upload, *, max_bytes: int, what: str) -> None:
    """An upload's size before anything reads it into memory."""
    if upload.size > max_bytes:
        raise _refuse("%(what)s为 %(size)s，超过上限 %(max)s，请拆分后分别上传",
                      what=what, size=filesizeformat(upload.size), max=filesizeformat(max_bytes))


def sheet_rows(sheet, limits: XlsxLimits) -> Iterator[tuple[int, tuple]]:
    """(row number, values) of a read-only openpyxl sheet: first (1, the header), then each later
    row the file holds, in order, numbered as the user sees it in Excel.

    The header is row 1 read as far as its last non-empty cell (empty if the file has no row 1);
    every later row is cut or padded to its width, so a stray cell far to the right costs nothing.
    Rows the file does not hold are not yielded at all: openpyxl's own iter_rows yields an empty
    row for each one missing, whatever its number, so the time a file costs is no longer bounded
    by its size. Row numbers past `limits.max_row`, or out of order (openpyxl would drop the later
    one silently), are refused here as well as by xlsx_check."""
    width = None
    previous = 0
    for number, cells in _parsed_rows(sheet):
        if number < 1:
            raise _refuse("该 Excel 文件中有无效的行号 %(row)s：请用 Excel 打开后重新保存", row=number)
        if number <= previous:
            raise _refuse("该 Excel 文件的第 %(row)s 行排在第 %(previous)s 行之后，行的顺序不对：请用 Excel 打开后重新保存",
                          row=f"{number:,}", previous=f"{previous:,}")
        if number > limits.max_row:
            raise _too_far(number, limits.max_row)
        if width is None:
            header = _header(cells if number == 1 else [])
            width = max(len(header), 1)
            yield 1, header
            if number == 1:
                previous = number
                continue
        values = [None] * width
        for cell in cells:
            if cell["column"] <= width:
                values[cell["column"] - 1] = cell["value"]
        yield number, tuple(values)
        previous = number
    if width is None:
        yield 1, ()


def _header(cells: list[dict]) -> tuple:
    """Row 1's values up to its last non-empty cell."""
    filled = [cell for cell in cells if cell["value"] is not None and str(cell["value"]).strip()]
    width = max((cell["column"] for cell in filled), default=0)
    if width > MAX_COLUMNS:
        raise _refuse("该 Excel 文件的表头有 %(n)s 列，超过上限 %(max)s 列，请只保留需要导入的列",
                      n=f"{width:,}", max=MAX_COLUMNS)
    values = [None] * width
    for cell in cells:
        if 1 <= cell["column"] <= width:
            values[cell["column"] - 1] = cell["value"]
    return tuple(values)


def _parsed_rows(sheet) -> Iterator[tuple[int, list[dict]]]:
    """(number, cells) of each row element, from openpyxl's own sheet parser (what its read-only
    sheet reads, set up as it sets it up), without the empty rows its iter_rows adds in between."""
    from openpyxl.worksheet._reader import WorkSheetParser  # openpyxl pinned: its parser's interface

    book = sheet.parent
    with sheet._get_source() as source:
        parser = WorkSheetParser(source, sheet._shared_strings, data_only=book.data_only, epoch=book.epoch,
                                 date_formats=book._date_formats, timedelta_formats=book._timedelta_formats)
        yield from parser.parse()
