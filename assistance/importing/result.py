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


def empty_month_message(year: int, month: int, rows: int) -> str:
    """A monthly file with no valid row of its month (both loaders): importing it would empty the
    month, so it is refused whole — the month is left as it was."""
    return (f"文件中没有 {year} 年 {month} 月的有效结算记录（共 {rows} 行，均有错误或结算日期不在该月），"
            f"未做任何更改：按月导入会整月替换该月原有数据，请核对所选的月份和文件")


def month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    """[first day of the month, first day of the next)."""
    return dt.date(year, month, 1), dt.date(year + (month == 12), month % 12 + 1, 1)
