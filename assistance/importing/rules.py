"""The rules one settlement row must pass, in Python.

This is the reference: the SQLite loader uses it row by row; the PostgreSQL loader applies the same
rules to whole batches (frames.py) and hands every row it cannot accept to parse_row, which words
the errors. Tests check the two agree.
"""
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError

from fundportal.dates import parse_date
from fundportal.identifiers import validate_resident_id
from fundportal.money import parse_money
from fundportal.text import to_half_width

TOLERANCE = Decimal("0.01")
MAX_AMOUNT = Decimal(10) ** 12  # numeric(14, 2)
AMOUNT_KEYS = ("total_cost", "fund_basic", "fund_critical", "fund_assistance", "out_of_pocket")
OUT_OF_PROVINCE = {"否", "省外", "n", "no", "0", "false", "异地", "外省"}
DECEASED = {"死亡", "已死亡", "亡故", "deceased"}
# Moved away (户籍迁出): no longer the city's to assist (assistance/followup/stopping.py).
MOVED = {"迁出", "已迁出", "户籍迁出", "转出", "moved"}


@dataclass(frozen=True)
class SettlementRow:
    row_number: int
    settlement_no: str
    resident_id: str
    name: str
    household_region: str
    insured_kind: str
    is_deceased: bool
    is_moved: bool
    settled_on: dt.date
    institution: str
    in_province: bool
    total_cost: Decimal
    fund_basic: Decimal
    fund_critical: Decimal
    fund_assistance: Decimal
    out_of_pocket: Decimal


def cell_text(value) -> str:
    """A cell as text, as the PostgreSQL loader reads every cell (batches.py): an .xlsx number 0 is
    "0", a float is its repr (44625.0), a date is ISO; only an empty cell is "". The rules below
    give the same verdict on a typed cell and on its text."""
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _text(values: dict, key: str) -> str:
    return " ".join(to_half_width(cell_text(values.get(key))).split())


def parse_row(values: dict, *, row_number: int, year: int, today: dt.date
              ) -> tuple[SettlementRow | None, list[tuple[str, str]]]:
    """Return the parsed row, or None with a list of (column key, Chinese reason)."""
    # A NUL is no character anybody types; the database cannot store it either.
    nul = [(key, "含有无法识别的控制字符（NUL）") for key, value in values.items() if "\x00" in cell_text(value)]
    if nul:
        return None, nul
    errors: list[tuple[str, str]] = []
    settlement_no = _text(values, "settlement_no").replace(" ", "")
    if not settlement_no:
        errors.append(("settlement_no", "结算编号为空"))
    elif len(settlement_no) > 40:
        errors.append(("settlement_no", "结算编号超过40个字符"))
    try:
        resident_id = validate_resident_id(cell_text(values.get("resident_id")), today=today)
    except ValidationError as exc:
        resident_id = ""
        errors.append(("resident_id", exc.messages[0]))
        # A ValidationError refers to itself (error_list), so only the cycle collector frees it,
        # and until then its traceback keeps every calling frame alive: on the PostgreSQL path,
        # whole batches. Without the traceback the cycle holds nothing big.
        exc.__traceback__ = None
    name = _text(values, "name")
    if not name:
        errors.append(("name", "姓名为空"))
    elif len(name) > 50:
        errors.append(("name", "姓名超过50个字符"))
    settled_on = None
    try:
        raw_date = values.get("settled_on")
        # A number cell is read as its text, like the PostgreSQL loader does: 44625 is an Excel
        # serial date either way, 44625.5 is not a date in either.
        settled_on = parse_date(cell_text(raw_date) if isinstance(raw_date, int | float) else raw_date)
    except ValueError as exc:
        errors.append(("settled_on", str(exc)))
    else:
        if settled_on > today:
            errors.append(("settled_on", "结算日期晚于今天"))
        elif settled_on.year != year:
            errors.append(("settled_on", f"结算日期不在申报年度 {year} 年内"))
    institution = _text(values, "institution")
    if not institution:
        errors.append(("institution", "医疗机构为空"))
    amounts: dict[str, Decimal] = {}
    for key in AMOUNT_KEYS:
        raw = values.get(key)
        if key not in ("total_cost", "out_of_pocket") and (raw is None or str(raw).strip() == ""):
            amounts[key] = Decimal("0.00")
            continue
        try:
            amount = parse_money(repr(raw) if isinstance(raw, float) else (raw if raw is not None else ""))
        except ValueError as exc:
            errors.append((key, str(exc)))
            continue
        if abs(amount) >= MAX_AMOUNT:
            errors.append((key, f"金额“{raw}”过大"))
            continue
        if amount < 0:
            errors.append((key, "金额不能为负数"))
        amount = abs(amount) if not amount else amount  # "-0" is 0.00, as in PostgreSQL
        amounts[key] = amount
    if len(amounts) == len(AMOUNT_KEYS):
        fund_paid = amounts["fund_basic"] + amounts["fund_critical"] + amounts["fund_assistance"]
        if abs(amounts["out_of_pocket"] - (amounts["total_cost"] - fund_paid)) > TOLERANCE:
            errors.append(("out_of_pocket",
                           f"个人自付 {amounts['out_of_pocket']} 不等于总费用 {amounts['total_cost']} 减基金支付 {fund_paid}"))
    if errors:
        return None, errors
    return SettlementRow(
        row_number=row_number, settlement_no=settlement_no, resident_id=resident_id, name=name,
        household_region=_text(values, "household_region"), insured_kind=_text(values, "insured_kind")[:30],
        is_deceased=_text(values, "person_status").lower() in DECEASED,
        is_moved=_text(values, "person_status").lower() in MOVED, settled_on=settled_on,
        institution=institution[:100], in_province=_text(values, "in_province").lower() not in OUT_OF_PROVINCE,
        **amounts,
    ), []
