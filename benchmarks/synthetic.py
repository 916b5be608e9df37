"""A seeded synthetic settlement year: realistic costs, a share of messy-but-valid cells, a few bad rows.

Used by the benchmark (millions of rows) and by tests (hundreds). Streams to disk: memory flat.
"""
import csv
import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from stdnum.cn import ric

# Goes into the benchmark's cached file names: a change to what the generator writes makes new files.
VERSION = 3
HEADER = ["结算编号", "身份证号", "姓名", "户籍地", "参保类型", "结算日期", "医疗机构", "是否省内",
          "医疗总费用", "基本医保支付", "大病保险支付", "医疗救助支付", "个人自付（元）"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红玉兰海燕文斌波宁浩宇欣怡"
INSTITUTIONS = ["瑞安市人民医院", "瑞安市中医院", "温州医科大学附属第一医院", "瑞安市第三人民医院", "浙江大学医学院附属第一医院",
                "瑞安市塘下镇中心卫生院", "瑞安市莘塍街道社区卫生服务中心", "上海交通大学医学院附属瑞金医院"]
FULL_WIDTH = str.maketrans("0123456789.", "０１２３４５６７８９．")


@dataclass
class Stats:
    rows: int = 0
    messy: int = 0
    invalid: int = 0


def _resident_id(rng: random.Random, region: str) -> str:
    birth = dt.date(1935, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 80))
    body = f"{region}{birth:%Y%m%d}{rng.randrange(1000):03d}"
    return body + ric.calc_check_digit(body + "?")  # stdnum ignores the last character


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


def _messy_amount(rng: random.Random, text: str) -> str:
    choice = rng.randrange(4)
    if choice == 0:
        return f"{Decimal(text):,.2f}"
    if choice == 1:
        return text.rstrip("0").rstrip(".") + "元"
    if choice == 2:
        return text.translate(FULL_WIDTH)
    return f" {text} "


def _messy_date(rng: random.Random, day: dt.date) -> str:
    choice = rng.randrange(4)
    if choice == 0:
        return f"{day.year}/{day.month}/{day.day}"
    if choice == 1:
        return str((day - dt.date(1899, 12, 30)).days)
    if choice == 2:
        return f"{day.year}年{day.month}月{day.day}日"
    return day.strftime("%Y%m%d")


def write_year(path: Path, *, rows: int, year: int = 2022, seed: int = 2023, messy_share: float = 0.05,
               invalid_share: float = 0.002, regions: list[str] | None = None, encoding: str = "utf-8",
               heavy_share: float = 0.004) -> Stats:
    """Write `rows` settlement rows for `year`. People ≈ rows / 7; a few carry very high costs."""
    stats = Stats()
    with open(path, "w", newline="", encoding=encoding) as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for _month, cells in _rows(stats, rows=rows, year=year, seed=seed, messy_share=messy_share,
                                   invalid_share=invalid_share, regions=regions, heavy_share=heavy_share):
            writer.writerow(cells)
    return stats


def write_months(directory: Path, *, rows: int, year: int = 2022, seed: int = 2023, encoding: str = "utf-8",
                 **options) -> tuple[list[Path], Stats]:
    """The same rows as write_year (same seed, same order within a month), each written to its
    month's file (by the day it was drawn for, also for the rows whose date the generator made
    invalid): what the MSB sends when it extracts a year month by month."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = [directory / f"settlements_{year}_{month:02d}.csv" for month in range(1, 13)]
    handles = [open(path, "w", newline="", encoding=encoding) for path in paths]
    stats = Stats()
    try:
        writers = [csv.writer(handle) for handle in handles]
        for writer in writers:
            writer.writerow(HEADER)
        for month, cells in _rows(stats, rows=rows, year=year, seed=seed, **options):
            writers[month - 1].writerow(cells)
    finally:
        for handle in handles:
            handle.close()
    return paths, stats


def _insured_kind(resident_id: str, month: int) -> str:
    """A person's insurance kind, as in the MSB's data: the same in all their rows, except for about
    one person in a hundred each month (from February) who changes it from then on — a job taken
    or lost — so that monthly files also measure the update of changed people. (Version 1 drew it
    from the row's index: two thirds of a month's people then "changed kind" every month.)"""
    sequence = int(resident_id[14:17])
    employee = sequence % 3 == 0
    if sequence % 100 < month - 1:
        employee = not employee
    return "职工医保" if employee else "城乡居民医保"


def _rows(stats: Stats, *, rows: int, year: int, seed: int, messy_share: float = 0.05, invalid_share: float = 0.002,
          regions: list[str] | None = None, heavy_share: float = 0.004):
    """(month drawn, cells) for each row. Memory: the people only, one short string each (about
    90 bytes: 400 MB for the 4.3 million people of 30 M rows), never the rows."""
    rng = random.Random(seed)
    regions = regions or ["330381102000", "330381006000", "330381001000", "330381101000", "330381105000"]
    people_count = max(rows // 7, 1)
    people = []
    for _ in range(people_count):
        region = rng.choice(regions) if rng.random() < 0.92 else "330302000000"  # some live outside the city
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        heavy = rng.random() < heavy_share  # the seriously ill: a few of them drive the warning list
        people.append(f"{_resident_id(rng, region[:6])}|{name}|{region}|{'1' if heavy else ''}")
    days = (dt.date(year, 12, 31) - dt.date(year, 1, 1)).days + 1
    for index in range(rows):
        resident_id, name, region, heavy = people[rng.randrange(people_count)].split("|")
        day = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(days))
        scale = 9.6 if heavy else 6.3
        total = Decimal(str(round(min(rng.lognormvariate(scale, 1.1), 900000), 2)))
        basic = (total * Decimal(str(rng.uniform(0.45, 0.75)))).quantize(Decimal("0.01"))
        critical = (total * Decimal("0.1")).quantize(Decimal("0.01")) if total > 20000 else Decimal("0.00")
        assistance = Decimal("0.00")
        out_of_pocket = total - basic - critical - assistance
        cells = [f"JS{year}{index:09d}", resident_id, name, region, _insured_kind(resident_id, day.month),
                 day.isoformat(), rng.choice(INSTITUTIONS), "否" if rng.random() < 0.08 else "是",
                 _money(total), _money(basic), _money(critical), _money(assistance), _money(out_of_pocket)]
        roll = rng.random()
        if roll < invalid_share:
            stats.invalid += 1
            kind = rng.randrange(3)
            if kind == 0:
                cells[1] = resident_id[:17] + ("0" if resident_id[17] != "0" else "1")
            elif kind == 1:
                cells[5] = f"{year - 1}-12-31"
            else:
                cells[12] = _money(out_of_pocket + Decimal("5"))
        elif roll < invalid_share + messy_share:
            stats.messy += 1
            kind = rng.randrange(4)
            if kind == 0:
                cells[1] = cells[1].lower().translate(FULL_WIDTH) if rng.random() < 0.5 else cells[1].lower()
            elif kind == 1:
                cells[5] = _messy_date(rng, day)
            elif kind == 2:
                column = rng.choice((8, 12))
                cells[column] = _messy_amount(rng, cells[column])
            else:
                cells[2] = f" {cells[2]} "
        stats.rows += 1
        yield day.month, cells
