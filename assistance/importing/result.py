"""What a loader reports about one file (both loaders, so neither imports the other)."""
import datetime as dt
from dataclasses import dataclass


@dataclass
class LoadResult:
    rows_total: int
    rows_rejected: int
    rows_imported: int
    rows_unchanged: int
    people_created: int


def outside_month_message(year: int, month: int) -> str:
    """A monthly file's row settled in another month (both loaders)."""
    return f"结算日期不在导入的月份 {year} 年 {month} 月内"


def month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    """[first day of the month, first day of the next)."""
    return dt.date(year, month, 1), dt.date(year + (month == 12), month % 12 + 1, 1)
