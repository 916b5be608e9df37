"""Money: Decimal CNY with two places, defined once. Never float."""
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import models

from .text import to_half_width

MONEY_MAX_DIGITS = 14
MONEY_PLACES = Decimal("0.01")
ZERO = Decimal("0.00")
# The largest amount a MoneyField column holds (999,999,999,999.99): anything above is refused
# before the database sees it, never left to a numeric overflow (a 500).
MONEY_MAX = Decimal(10) ** (MONEY_MAX_DIGITS - 2) - MONEY_PLACES


class MoneyField(models.DecimalField):
    """A CNY amount: DecimalField(max_digits=14, decimal_places=2) everywhere."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", MONEY_MAX_DIGITS)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("max_digits", None)
        kwargs.pop("decimal_places", None)
        return name, path, args, kwargs


def to_money(value: Decimal | int | str) -> Decimal:
    """Quantise to the fen. Refuses floats, so binary rounding never reaches an amount."""
    if isinstance(value, float):
        raise TypeError("money must not be a float")
    return Decimal(value).quantize(MONEY_PLACES, rounding=ROUND_HALF_UP)


_MONEY_NOISE = re.compile(r"[\s,，元¥￥]|人民币|RMB|CNY", re.IGNORECASE)
_MONEY_SHAPE = re.compile(r"^-?\d+(\.\d+)?$")


def parse_money(text: str | int | Decimal) -> Decimal:
    """Read an amount as people write it: "1,234.50", "1234.5元", "￥ 5000", full-width digits.

    Raises ValueError with a Chinese message; more than two decimal places is an error,
    never silently rounded.
    """
    if isinstance(text, Decimal | int):
        cleaned = str(text)
    else:
        if isinstance(text, float):
            raise TypeError("money must not be a float")
        cleaned = _MONEY_NOISE.sub("", to_half_width(str(text)))
    if not cleaned:
        raise ValueError("金额为空")
    if not _MONEY_SHAPE.match(cleaned):
        raise ValueError(f"金额“{text}”不是有效数字")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation as exc:  # pragma: no cover - the regex already excludes this
        raise ValueError(f"金额“{text}”不是有效数字") from exc
    if amount != amount.quantize(MONEY_PLACES):
        raise ValueError(f"金额“{text}”超过两位小数")
    return to_money(amount)


def money_fits(amount: Decimal) -> bool:
    """Whether an amount (a balance, a sum) still fits a MoneyField column."""
    return -MONEY_MAX <= amount <= MONEY_MAX


def amount_in_capitals(amount: Decimal) -> str:
    """壹佰万元整: the amount in Chinese capital numerals, as receipts print it."""
    import cn2an  # slow to import (0.2 s); only receipts need it

    return cn2an.an2cn(str(to_money(amount)), "rmb")


def format_money(amount: Decimal) -> str:
    """165,822.00: grouped, always two places, whatever the database's sum returned (SQLite's
    Sum() gives 256680.720000000 or 165822)."""
    return f"{to_money(amount):,.2f}"


def money_label(amount: Decimal) -> str:
    """An amount where a sentence or a label prints it (a __str__, a message): 100,000.00 元."""
    return f"{format_money(amount)} 元"
