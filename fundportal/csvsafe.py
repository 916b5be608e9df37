"""CSV cells that a spreadsheet will never run as a formula."""
import csv

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


class Echo:
    """A file-like object whose write returns the line, for StreamingHttpResponse."""

    def write(self, value):
        return value


def csv_lines(header: list[str], rows):
    writer = csv.writer(Echo())
    yield "\ufeff"  # BOM: Excel opens UTF-8 Chinese correctly
    yield writer.writerow(header)
    for row in rows:
        yield writer.writerow([safe_cell(cell) for cell in row])
