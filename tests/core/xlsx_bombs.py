"""Hand-built .xlsx files that are small on disk and huge inside: what an upload must refuse
before any spreadsheet library parses it. Written part by part in a stream, so making one costs
no more memory than the test allows the reader."""
import functools
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from django.conf import settings
from django.db import connection
from xml.sax.saxutils import escape

MB = 1 << 20
_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"


def _cell(ref: str, value: str, shared: dict[str, int] | None) -> str:
    if shared is not None:
        index = shared.setdefault(value, len(shared))
        return f'<c r="{ref}" t="s"><v>{index}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(value)}</t></is></c>'


def write_xlsx(path: Path, rows: list[list[str]], *, huge_cell_mb: int = 0, in_shared_strings: bool = False,
               huge_row_cells: int = 0) -> Path:
    """An .xlsx of `rows` (text cells). `huge_cell_mb`: the last row gets one more cell of that many
    MB of "A" (inline, or in the shared strings); `huge_row_cells`: a row of that many cells."""
    shared: dict[str, int] | None = {} if in_shared_strings else None
    columns = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as book:
        book.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/sharedStrings.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
            '</Types>'))
        book.writestr("_rels/.rels", (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PKG}">'
            f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'))
        book.writestr("xl/workbook.xml", (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{_NS}" xmlns:r="{_REL}">'
            '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'))
        book.writestr("xl/_rels/workbook.xml.rels", (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PKG}">'
            f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/></Relationships>'))
        with book.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_NS}"><sheetData>'.encode())
            for number, row in enumerate(rows, start=1):
                cells = "".join(_cell(f"{columns[i]}{number}", value, shared) for i, value in enumerate(row))
                if number == len(rows) and huge_cell_mb and not in_shared_strings:
                    sheet.write(f'<row r="{number}">{cells}<c r="{columns[len(row)]}{number}" t="inlineStr"><is><t>'
                                .encode())
                    for _ in range(huge_cell_mb):
                        sheet.write(b"A" * MB)
                    sheet.write(b"</t></is></c></row>")
                    continue
                if number == len(rows) and huge_cell_mb:
                    cells += f'<c r="{columns[len(row)]}{number}" t="s"><v>{len(shared)}</v></c>'
                sheet.write(f'<row r="{number}">{cells}</row>'.encode())
            if huge_row_cells:
                sheet.write(f'<row r="{len(rows) + 1}">'.encode())
                block = f'<c r="A{len(rows) + 1}" t="inlineStr"><is><t>1</t></is></c>'.encode() * 1000
                for _ in range(huge_row_cells // 1000):
                    sheet.write(block)
                sheet.write(b"</row>")
            sheet.write(b"</sheetData></worksheet>")
        with book.open("xl/sharedStrings.xml", "w", force_zip64=True) as strings:
            strings.write(f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{_NS}">'.encode())
            for value in (shared or {}):
                strings.write(f"<si><t>{escape(value)}</t></si>".encode())
            if huge_cell_mb and in_shared_strings:
                strings.write(b"<si><t>")
                for _ in range(huge_cell_mb):
                    strings.write(b"A" * MB)
                strings.write(b"</t></si>")
            strings.write(b"</sst>")
    return path


BANK_ROWS = [["参考号", "金额", "结果"], ["ZF1-0001", "1000.00", "成功"]]
_FOLDER = tempfile.TemporaryDirectory(prefix="xlsx-bombs-")  # removed when the test run ends


@functools.cache
def bomb(kind: str) -> Path:
    """The three bombs, made once per test run: a 300 MB cell inline or in the shared strings
    (about 300 KB on disk), and a row of a million cells."""
    path = Path(_FOLDER.name) / f"{kind.replace(' ', '-')}.xlsx"
    options = {"inline cell": {"huge_cell_mb": 300}, "shared string": {"huge_cell_mb": 300, "in_shared_strings": True},
               "huge row": {"huge_row_cells": 1_000_000}}[kind]
    return write_xlsx(path, BANK_ROWS, **options)


# Django, openpyxl and polars loaded, a file refused: about 100 MB. Parsing a bomb took gigabytes.
MEMORY_BOUND_MB = 200

# Run in the child: its own peak resident memory. VmHWM belongs to the process's address space,
# new at exec; ru_maxrss would carry over the parent's (pytest's) across fork and exec.
PEAK_MB = """
def _peak_mb():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) // 1024 for line in status if line.startswith("VmHWM:"))
"""


def run_measured(code: str, *args: str) -> tuple[str, int, float]:
    """Run `code` (ending by printing "MAXRSS <MB>", see PEAK_MB) in a new Python process on the
    test database: its output, its peak memory in MB, and the seconds it took."""
    database = connection.settings_dict
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "fundportal.settings_test", "PYTHONUNBUFFERED": "1",
           "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
           "REDIS_URL": settings.REDIS_URL}
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-c", code, *args], cwd=settings.BASE_DIR, env=env,
                            capture_output=True, text=True, timeout=300)
    seconds = time.monotonic() - started
    output = result.stdout + result.stderr
    peak = int(output.rsplit("MAXRSS ", 1)[1].split()[0])
    return output, peak, seconds
