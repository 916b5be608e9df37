"""Streaming readers: one row at a time, so memory never grows with the file.

An .xlsx is checked before openpyxl opens it (fundportal.uploads.xlsx_check): openpyxl holds the
shared strings and each cell's text whole, so a small file with one huge cell would otherwise
cost gigabytes. A CSV cell is bounded by the csv module's field limit.
"""
import csv
import datetime as dt
import functools
from collections.abc import Iterator
from pathlib import Path

from fundportal.uploads import SETTLEMENT_XLSX, UploadRefused, sheet_rows, xlsx_check

from .columns import ImportFileError

# The csv module's own limit for one cell (its default): far above any real cell, and in bytes
# far below what would strain memory.
CSV_FIELD_LIMIT = csv.field_size_limit()
# One line of a CSV file (a settlement record is a few hundred bytes): a file without line ends
# would otherwise be read whole as its first line.
MAX_LINE_CHARS = 1 << 20

SAMPLE_BYTES = 1 << 20


def is_xlsx(path: Path) -> bool:
    with open(path, "rb") as handle:
        return handle.read(4) == b"PK\x03\x04"  # a zip container: .xlsx (whatever the file is called)


def detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) or GB18030 (a superset of GBK), from the first megabyte."""
    with open(path, "rb") as handle:
        sample = handle.read(SAMPLE_BYTES)
    if sample.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    cut = sample.rfind(b"\n") if len(sample) == SAMPLE_BYTES else len(sample)
    try:
        sample[: cut if cut > 0 else len(sample)].decode("utf-8")
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


def read_header(path: Path) -> list:
    """The file's first row (its header), or [] for an empty file."""
    return next(iter_rows(path), [])


def _cell(value) -> str | object:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date()
    return value


def iter_rows(path: Path) -> Iterator[list]:
    """Yield the header, then each row. CSV cells are strings; .xlsx cells keep numbers and dates."""
    if is_xlsx(path):
        yield from _iter_xlsx(path)
        return
    encoding = detect_encoding(path)
    try:
        with open(path, newline="", encoding=encoding) as handle:
            yield from csv.reader(bounded_lines(handle))
    except UnicodeDecodeError as exc:
        raise ImportFileError("文件编码无法识别：请保存为 UTF-8 或 GBK 编码的 CSV，或 .xlsx") from exc
    except csv.Error as exc:
        raise csv_error(exc) from exc


def bounded_lines(text) -> Iterator[str]:
    """The lines of a text stream, refusing one longer than MAX_LINE_CHARS before it is whole."""
    while line := text.readline(MAX_LINE_CHARS + 1):
        if len(line) > MAX_LINE_CHARS:
            raise line_too_long()
        yield line


def line_too_long() -> ImportFileError:
    return ImportFileError(f"CSV 文件中有一行超过 {MAX_LINE_CHARS:,} 个字符，已拒绝读取：请检查文件是否损坏")


def csv_error(exc: csv.Error) -> ImportFileError:
    if "field larger than field limit" in str(exc):
        return ImportFileError(f"CSV 文件中有单元格超过 {CSV_FIELD_LIMIT:,} 个字符，已拒绝读取：请检查文件是否损坏")
    return ImportFileError(f"CSV 格式错误：{exc}")


def check_xlsx(path: Path) -> None:
    """Refuse (ImportFileError, in Chinese, naming the limit) an .xlsx that holds more than a
    settlement sheet can: checked once per file version, however many readers open it."""
    stat = path.stat()
    _check_xlsx_once(str(path), stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=16)
def _check_xlsx_once(path: str, _size: int, _mtime_ns: int) -> None:
    try:
        xlsx_check(path, SETTLEMENT_XLSX)
    except UploadRefused as exc:
        raise ImportFileError(exc.messages[0]) from exc


def open_xlsx(path: Path, *, data_only: bool = True):
    """The workbook, read-only (rows streamed), once the file has passed check_xlsx."""
    from openpyxl import load_workbook  # only .xlsx files need it

    check_xlsx(path)
    try:
        return load_workbook(path, read_only=True, data_only=data_only)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise ImportFileError("无法读取 .xlsx 文件，请确认文件未损坏") from exc


def _iter_xlsx(path: Path) -> Iterator[list]:
    """Rows as wide as the header, however wide the sheet says it is (fundportal.uploads.sheet_rows).

    The loaders number rows by their place (a CSV's records), so a row the sheet does not hold is
    an empty list here: cheap, and never more of them than SETTLEMENT_XLSX.max_row (sheet_rows
    refuses a row past it before anything is yielded for the gap)."""
    book = open_xlsx(path)
    try:
        expected = 1
        for number, row in sheet_rows(book.worksheets[0], SETTLEMENT_XLSX):
            for _missing in range(expected, number):
                yield []
            yield [_cell(value) for value in row]
            expected = number + 1
    except UploadRefused as exc:
        raise ImportFileError(exc.messages[0]) from exc
    finally:
        book.close()
