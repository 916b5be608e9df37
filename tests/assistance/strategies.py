"""Hypothesis strategies for settlement rows as offices write them: messy but mostly valid cells,
in tests.assistance.helpers.HEADER order, plus odd characters that normalise in surprising ways."""
import datetime as dt
from decimal import Decimal

from hypothesis import strategies as st

from tests.assistance.helpers import rid

FULL_WIDTH = str.maketrans("0123456789.,-X", "０１２３４５６７８９．，－Ｘ")


def _amount_text(cents: int, style: int) -> str:
    value = Decimal(cents) / 100
    plain = f"{value:.2f}"
    return [plain, f"{value:,.2f}", plain.rstrip("0").rstrip(".") + "元", plain.translate(FULL_WIDTH), f" {plain} ",
            f"￥{plain}", f"RMB {plain}", f"0{plain}", f"{value:.3f}", f"{value}1", plain.replace(".", "。"),
            f"{plain}元整", f"-{plain}", plain.replace(".", ",")][style]


amounts = st.builds(_amount_text, st.integers(0, 5_000_000), st.integers(0, 13))
blank = st.sampled_from(["", " ", "　", "\u00a0", "元"])
junk = st.text(alphabet="0123456789０１.,，元-| 　xX年月日/", max_size=8)


def _date_text(day: dt.date, style: int) -> str:
    serial = (day - dt.date(1899, 12, 30)).days
    return [day.isoformat(), f"{day.year}/{day.month}/{day.day}", f"{day.year}年{day.month}月{day.day}日",
            day.strftime("%Y%m%d"), str(serial), f"{serial}.0", f"{day:%Y-%m-%d} 08:30", f"{day:%Y.%m.%d}",
            f"{day.year}年{day.month}月{day.day}日".translate(FULL_WIDTH), f"{serial}.5",
            f" {day.year} /{day.month}/ {day.day} ", f"{day.year}-{day.month:02d}-{day.day + 40}"][style]


dates = st.builds(_date_text, st.dates(dt.date(2021, 12, 25), dt.date(2023, 1, 5)), st.integers(0, 11))


def _id_text(seed: int, style: int) -> str:
    number = rid(seed, birth=dt.date(1940 + seed % 70, 1 + seed % 12, 1 + seed % 28))
    return [number, number.lower(), number.translate(FULL_WIDTH), f"{number[:6]} {number[6:]}",
            number[:17] + str((int(number[17]) + 1) % 10 if number[17] != "X" else 0), number[:16], f" {number}　",
            number[:6] + "19991332" + number[14:]][style]


ids = st.builds(_id_text, st.integers(0, 40), st.integers(0, 7))


@st.composite
def messy_rows(draw):
    row = [
        draw(st.sampled_from(["JS1", "JS2", " js 3 ", "ＪＳ１", "JS4", "", "JS|5"])),
        draw(ids),
        draw(st.sampled_from(["张三", " 李　四 ", "王\u00a0五", "", "欧阳（小）燕", "x" * 51])),
        draw(st.sampled_from(["330381101000", "330381101201", "马屿镇", "330302000000", "", "瑞安市塘下镇韩田村"])),
        draw(st.sampled_from(["城乡居民医保", "职工医保", ""])),
        draw(st.sampled_from(["", "死亡", "正常"])),
        draw(st.one_of(dates, junk)),
        draw(st.sampled_from(["瑞安市人民医院", "瑞安市人民医院（总院）", " ", "温州医科大学附属第一医院"])),
        draw(st.sampled_from(["是", "否", " 省外 ", ""])),
    ]
    total = draw(st.integers(0, 5_000_000))
    basic = draw(st.integers(0, total))
    critical = draw(st.integers(0, total - basic))
    out_of_pocket = total - basic - critical + draw(st.sampled_from([0, 0, 0, 1, -1, 2, -2, 50000]))
    cells = []
    for cents, may_be_blank in ((total, False), (basic, True), (critical, True), (0, True), (out_of_pocket, False)):
        style = draw(st.integers(0, 15))
        if style < 12:
            cells.append(_amount_text(cents, style % 9 if style < 9 else 0))
        elif style < 14 and may_be_blank:
            cells.append(draw(blank))
        elif style < 15:
            cells.append(draw(amounts))
        else:
            cells.append(draw(junk))
    return row + cells


# Characters that trip normalisation up: separators Python counts as white space and regular
# expressions often do not, digits that are not ASCII (some NFKC folds to ASCII, some not), NFKC
# folding to several characters, a character newer than Python's Unicode tables (polars' NFKC
# folds it to "0"), zero-width and byte-order marks, combining marks, compatibility ideographs.
ODD = ["\x00", "\x1c", "\x1f", "\u0085", "\u2028", "\u00a0", "\u3000", "\u200b", "\ufeff", "٣", "𝟑", "①", "¹", "Ⅻ",
       "㈠", "ｘ", "Ｘ", "K", "ﬁ", "\u0301", "\U0001ccf0", "\uf900", "ﾃﾞ", "·", "\t", "\r\n", "\\", '"', ","]


@st.composite
def odd_rows(draw):
    """A messy row with odd characters put into some of its cells."""
    row = draw(messy_rows())
    for _ in range(draw(st.integers(1, 3))):
        index = draw(st.integers(0, len(row) - 1))
        cell = row[index]
        at = draw(st.integers(0, len(cell)))
        row[index] = cell[:at] + draw(st.sampled_from(ODD)) + cell[at:]
    return row
