"""Dates as spreadsheets write them: 2022/3/5, 2022-03-05, 2022.3.5, 2022年3月5日, 20220305,
Excel serial numbers (44625) and real date cells."""
import datetime as dt
import re

from .text import to_half_width

_EXCEL_EPOCH = dt.date(1899, 12, 30)  # Excel's day 0, accounting for its 1900 leap-year bug
_SEPARATED = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_SERIAL = re.compile(r"^\d{5}(\.0+)?$")


def parse_date(value) -> dt.date:
    """Return a date or raise ValueError with a Chinese message."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _from_serial(int(value), value)
    text = to_half_width(str(value or "")).strip()
    if not text:
        raise ValueError("日期为空")
    if match := _SEPARATED.match(text) or _COMPACT.match(text):
        year, month, day = (int(part) for part in match.groups()[:3])
        try:
            return dt.date(year, month, day)
        except ValueError:
            raise ValueError(f"日期“{value}”不存在") from None
    if _SERIAL.match(text):
        return _from_serial(int(text.split(".")[0]), value)
    raise ValueError(f"无法识别的日期“{value}”，请写成 2023-03-05 或 2023/3/5")


def _from_serial(serial: int, original) -> dt.date:
    # 20000..80000 covers 1954..2119: anything else is not a date somebody meant.
    if not 20000 <= serial <= 80000:
        raise ValueError(f"无法识别的日期“{original}”")
    return _EXCEL_EPOCH + dt.timedelta(days=serial)


def add_working_days(day: dt.date, days: int) -> dt.date:
    """The date `days` working days (Monday to Friday) after `day`. Public holidays are not
    known here: time limits run a little short around them."""
    while days > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day
