"""The rules of rules.py applied to a whole batch at once (polars), for files of millions of rows.

Three tiers, so the common row is cheap and the verdict on anything unusual is the reference's:

1. rows whose cells are already in canonical form (an ASCII settlement number and ID, a name of
   Chinese characters, an ISO date, plain amounts: nearly every row of a system export) are
   parsed as they stand;
2. the other rows are first normalised as rules.py normalises them (NFKC, white space, "1,234.50元",
   2022/3/5, 2022年3月5日, 20220305, Excel serial dates), then parsed the same way;
3. every row the first two cannot accept is judged by rules.parse_row itself, which also words
   the errors.

The first two tiers only ever accept a row rules.py accepts, with the same values: when in doubt
they leave it to the third (tests compare the tiers with parse_row on random messy rows).
"""
import datetime as dt
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

import polars as pl

from .columns import COLUMNS
from .rules import AMOUNT_KEYS, DECEASED, MOVED, OUT_OF_PROVINCE, SettlementRow, parse_row

MONEY = pl.Decimal(14, 2)
KEYS = [column.key for column in COLUMNS]
FUND_KEYS = ("fund_basic", "fund_critical", "fund_assistance")  # blank means 0.00
# Python's str.isspace(): Unicode White_Space (what \s matches in polars' regex engine) plus the
# separators U+001C-U+001F. A test checks the two agree on every character.
SPACE = r"[\s\x1c-\x1f]"
WHITESPACE = "".join(chr(code) for code in range(0x3001) if chr(code).isspace())
# Characters that NFKC leaves alone and that are not white space: a cell made only of them is
# already what rules.py would make of it (checked for every character by a test).
STABLE = r"[!-~\u00b7\u3400-\u4dbf\u4e00-\u9fff]"
ID_SHAPE = r"^[0-9]{17}[0-9X]$"
AMOUNT_SHAPE = r"^[0-9]{1,12}(\.[0-9]{1,2})?$"
ISO_DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
# rules.py's date shapes (fundportal.dates), with ASCII digits only: other digits go to tier 3.
SEPARATED_DATE = (rf"^([0-9]{{4}}){SPACE}*[-/.年]{SPACE}*([0-9]{{1,2}}){SPACE}*[-/.月]{SPACE}*([0-9]{{1,2}})"
                  rf"{SPACE}*日?(?:{SPACE}+[0-9]{{1,2}}:[0-9]{{2}}(?::[0-9]{{2}})?)?$")
COMPACT_DATE = r"^([0-9]{4})([0-9]{2})([0-9]{2})$"
SERIAL_DATE = r"^([0-9]{5})(?:\.0+)?$"
EXCEL_EPOCH = dt.date(1899, 12, 30)
MONEY_NOISE = rf"(?i){SPACE}|[,，元¥￥]|人民币|RMB|CNY"  # fundportal.money._MONEY_NOISE
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)

# Tier 1: the canonical form of each cell.
PLAIN = {
    "settlement_no": r"^[!-~]{1,40}$",
    "resident_id": ID_SHAPE,
    "name": rf"^{STABLE}{{1,50}}$",
    "household_region": rf"^{STABLE}*$",
    "insured_kind": rf"^{STABLE}*$",
    "person_status": rf"^{STABLE}*$",
    "settled_on": ISO_DATE,
    "institution": rf"^{STABLE}{{1,100}}$",
    "in_province": rf"^{STABLE}*$",
    "total_cost": AMOUNT_SHAPE,
    "out_of_pocket": AMOUNT_SHAPE,
    **{key: rf"^({AMOUNT_SHAPE[1:-1]})?$" for key in FUND_KEYS},
}

TYPED = {
    "row_no": pl.Int64, "settlement_no": pl.String, "resident_id": pl.String, "person_key": pl.Int64,
    "name": pl.String, "household_region": pl.String, "insured_kind": pl.String, "is_deceased": pl.Boolean,
    "is_moved": pl.Boolean,
    "settled_on": pl.Date, "institution": pl.String, "in_province": pl.Boolean,
    **{key: MONEY for key in AMOUNT_KEYS},
}


@dataclass
class Checked:
    typed: pl.DataFrame  # the valid rows (schema TYPED), in row order
    errors: list[tuple[int, str, str]]  # (row_no, column key, Chinese reason)


def check(cells: pl.DataFrame, *, positions: dict[str, int], year: int, today: dt.date) -> Checked:
    """Check a batch of text cells (row_no, f0 … fN) against the rules of rules.py."""
    named = cells.select("row_no", *[
        (pl.col(f"f{positions[key]}") if key in positions else pl.lit("", pl.String)).alias(key) for key in KEYS])
    plain = pl.all_horizontal([pl.col(key).str.contains(pattern) for key, pattern in PLAIN.items()])
    named = named.with_columns(plain=plain)
    canonical = pl.concat([named.filter("plain").drop("plain"),
                           _normalised(named.filter(~pl.col("plain")).drop("plain"))])
    parsed = _parsed(canonical, year=year, today=today)
    accepted = parsed.filter("ok").select(list(TYPED))
    doubtful = named.join(accepted.select("row_no"), on="row_no", how="anti")
    judged, errors = _judged_by_the_rules(doubtful, year=year, today=today)
    typed = pl.concat([accepted, judged]).sort("row_no") if judged.height else accepted.sort("row_no")
    return Checked(typed=typed, errors=errors)


def _squashed(column: pl.Expr) -> pl.Expr:
    """rules._text: " ".join(NFKC(text).split())."""
    return column.str.normalize("NFKC").str.replace_all(f"{SPACE}+", " ").str.strip_chars(" ")


def _normalised(frame: pl.DataFrame) -> pl.DataFrame:
    """Tier 2: cells as rules.py normalises them, in the canonical form tier 1 reads. A cell that
    does not normalise to that form becomes "!" (never valid), so its row goes to tier 3."""
    if not frame.height:
        return frame
    date_text = pl.col("settled_on").str.normalize("NFKC").str.strip_chars(WHITESPACE)
    frame = frame.with_columns(
        # A character newer than Python's Unicode tables may normalise differently in polars; a NUL
        # is refused by rules.py. Either way the row is the reference's to judge.
        doubtful=pl.concat_str(KEYS, separator="\n").str.contains(_unassigned_in_python())
        | pl.concat_str(KEYS, separator="\n").str.contains("\x00", literal=True),
        settlement_no=pl.col("settlement_no").str.normalize("NFKC").str.replace_all(SPACE, ""),
        resident_id=pl.col("resident_id").str.normalize("NFKC").str.replace_all(SPACE, "").str.to_uppercase(),
        **{key: _squashed(pl.col(key)) for key in ("name", "household_region", "insured_kind", "person_status",
                                                     "institution", "in_province")},
        settled_on=_iso_date(date_text),
        **{key: _amount_text(key) for key in AMOUNT_KEYS},
    )
    return frame.filter(~pl.col("doubtful")).drop("doubtful")


def _iso_date(text: pl.Expr) -> pl.Expr:
    separated = text.str.extract_groups(SEPARATED_DATE)
    compact = text.str.extract_groups(COMPACT_DATE)
    serial = text.str.extract(SERIAL_DATE, 1).cast(pl.Int32)

    def ymd(groups):
        return pl.concat_str(groups.struct.field("1"), pl.lit("-"), groups.struct.field("2").str.zfill(2),
                             pl.lit("-"), groups.struct.field("3").str.zfill(2))

    from_serial = (pl.lit(EXCEL_EPOCH) + pl.duration(days=serial)).dt.strftime("%Y-%m-%d")
    return (pl.when(separated.struct.field("1").is_not_null()).then(ymd(separated))
            .when(compact.struct.field("1").is_not_null()).then(ymd(compact))
            .when(serial.is_between(20000, 80000)).then(from_serial)
            .otherwise(pl.lit("!")))


def _amount_text(key: str) -> pl.Expr:
    raw = pl.col(key)
    cleaned = raw.str.normalize("NFKC").str.replace_all(MONEY_NOISE, "")
    blank = ~raw.str.contains(f"[^{SPACE[1:-1]}]")  # rules.py: str(raw).strip() == "" (before NFKC)
    if key in FUND_KEYS:
        return pl.when(blank).then(pl.lit("")).when(cleaned == "").then(pl.lit("!")).otherwise(cleaned)
    return cleaned


def _parsed(frame: pl.DataFrame, *, year: int, today: dt.date) -> pl.DataFrame:
    """Canonical text → typed values and `ok`: every rule of rules.py holds."""
    resident_id = pl.col("resident_id")
    person_key = resident_id.str.slice(0, 17).cast(pl.Int64, strict=False)
    # Eight digits once the ID's shape holds (checked below): an impossible date parses to null.
    birth = resident_id.str.slice(6, 8).str.strptime(pl.Date, "%Y%m%d", strict=False)
    amounts = {}
    for key in AMOUNT_KEYS:
        value = pl.when(pl.col(key).str.contains(AMOUNT_SHAPE)).then(pl.col(key).cast(MONEY, strict=False))
        amounts[key] = pl.when(pl.col(key) == "").then(pl.lit(Decimal("0.00"), MONEY)).otherwise(value) \
            if key in FUND_KEYS else value
    frame = frame.with_columns(
        person_key=person_key, birth=birth, settled_on=pl.col("settled_on").str.strptime(pl.Date, "%Y-%m-%d",
                                                                                         strict=False),
        institution=pl.col("institution").str.slice(0, 100), insured_kind=pl.col("insured_kind").str.slice(0, 30),
        is_deceased=pl.col("person_status").str.to_lowercase().is_in(sorted(DECEASED)),
        is_moved=pl.col("person_status").str.to_lowercase().is_in(sorted(MOVED)),
        in_province=~pl.col("in_province").str.to_lowercase().is_in(sorted(OUT_OF_PROVINCE)),
        **amounts,
    )
    fund_paid = pl.col("fund_basic") + pl.col("fund_critical") + pl.col("fund_assistance")
    ok = (pl.col("settlement_no").str.len_chars().is_between(1, 40)
          & resident_id.str.contains(ID_SHAPE)
          & (check_character(pl.col("person_key")) == resident_id.str.slice(17, 1))
          & (pl.col("birth").dt.year() >= 1890) & (pl.col("birth") <= today)
          & pl.col("name").str.len_chars().is_between(1, 50)
          & (pl.col("institution").str.len_chars() > 0)
          & (pl.col("settled_on").dt.year() == year) & (pl.col("settled_on") <= today)
          & ((pl.col("out_of_pocket") - (pl.col("total_cost") - fund_paid)).abs() <= Decimal("0.01")))
    return frame.with_columns(ok=ok.fill_null(False))


def check_character(person_key: pl.Expr) -> pl.Expr:
    """GB 11643's check character of the first 17 digits (given as one integer).

    The weighted digit sum is taken four digits at a time from precomputed tables: digit by digit
    it is 51 operations per row, the most expensive check of all."""
    total = sum(pl.lit(table).gather((person_key // 10 ** shift) % 10 ** width)
                for table, shift, width in _check_sum_tables())
    return pl.lit("10X98765432").str.slice(total % 11, 1)


@cache
def _check_sum_tables() -> list[tuple[pl.Series, int, int]]:
    """(weighted sum of the digits of v, for v in 0 … 10^width − 1; shift; width) per group of
    digits: the first 16 digits in groups of four, then the 17th alone."""
    tables = []
    for start, width in ((0, 4), (4, 4), (8, 4), (12, 4), (16, 1)):
        weights = ID_WEIGHTS[start:start + width]
        sums = [sum(int(digit) * weight for digit, weight in zip(f"{value:0{width}d}", weights))
                for value in range(10 ** width)]
        tables.append((pl.Series(sums, dtype=pl.Int64), 17 - start - width, width))
    return tables


def _judged_by_the_rules(frame: pl.DataFrame, *, year: int, today: dt.date
                         ) -> tuple[pl.DataFrame, list[tuple[int, str, str]]]:
    """Tier 3: rules.parse_row on each remaining row (few: the invalid and the truly odd)."""
    rows: list[SettlementRow] = []
    errors: list[tuple[int, str, str]] = []
    for values in frame.iter_rows(named=True):
        row_no = values.pop("row_no")
        row, problems = parse_row(values, row_number=row_no + 1, year=year, today=today)
        if row is None:
            errors.extend((row_no, column, reason) for column, reason in problems)
        else:
            rows.append(row)
    typed = pl.DataFrame([
        {"row_no": row.row_number - 1, "settlement_no": row.settlement_no, "resident_id": row.resident_id,
         "person_key": int(row.resident_id[:17]), "name": row.name, "household_region": row.household_region,
         "insured_kind": row.insured_kind, "is_deceased": row.is_deceased, "is_moved": row.is_moved,
         "settled_on": row.settled_on,
         "institution": row.institution, "in_province": row.in_province,
         **{key: getattr(row, key) for key in AMOUNT_KEYS}}
        for row in rows], schema=TYPED, orient="row")
    return typed, errors


@cache
def _unassigned_in_python() -> str:
    """A character class of the code points Python's Unicode tables do not know. Planes 4 to 13
    and most of 14 hold no character at all; planes 15 and 16 are private use (assigned) but for
    their last two code points, noncharacters. A test compares this with every code point."""
    ranges: list[list[int]] = []
    for code in (*range(0x40000), *range(0xE0000, 0xE1000)):
        if unicodedata.category(chr(code)) == "Cn":
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1][1] = code
            else:
                ranges.append([code, code])
    ranges += [[0x40000, 0xDFFFF], [0xE1000, 0xEFFFF], [0xFFFFE, 0xFFFFF], [0x10FFFE, 0x10FFFF]]
    return "[" + "".join(f"\\x{{{start:x}}}-\\x{{{end:x}}}" for start, end in ranges) + "]"
