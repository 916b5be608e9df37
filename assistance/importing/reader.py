"""Streaming readers: one row at a time, so memory never grows with the file."""
import csv
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

from .columns import ImportFileError

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
            yield from csv.reader(handle)
    except UnicodeDecodeError as exc:
        raise ImportFileError("文件编码无法识别：请保存为 UTF-8 或 GBK 编码的 CSV，或 .xlsx") from exc
    except csv.Error as exc:
        raise ImportFileError(f"CSV 格式错误：{exc}") from exc


def _iter_xlsx(path: Path) -> Iterator[list]:
    from openpyxl import load_workbook  # read_only streams rows; only .xlsx files need it

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise ImportFileError("无法读取 .xlsx 文件，请确认文件未损坏") from exc
    try:
        sheet = book.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield [_cell(value) for value in row]
    finally:
        book.close()
