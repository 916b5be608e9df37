"""Filters for a stored breakdown (its figures are strings in JSON): money as 1,234.50, ratios as %."""
from decimal import Decimal, InvalidOperation

from django import template

from fundportal.money import format_money

register = template.Library()


@register.filter
def yuan(value) -> str:
    """'136475.86' → '136,475.86'. A band's exact product is shown to the fen: the sum is what is rounded."""
    try:
        return format_money(Decimal(str(value)).quantize(Decimal("0.01")))
    except (InvalidOperation, ValueError):
        return "" if value is None else str(value)


@register.filter
def percent(value) -> str:
    """'0.70' → '70%'."""
    try:
        return f"{(Decimal(str(value)) * 100).normalize():f}%"
    except (InvalidOperation, ValueError):
        return str(value)
