"""Charts as SVG drawn on the server: no script, no font or library from the internet, readable on a
phone (they scale to the screen's width). Text is escaped; numbers are Decimal to the end."""
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext

from fundportal.money import format_money

WIDTH = 360  # a phone's width in CSS pixels: text drawn at 13 stays readable when the chart scales
BAR = 22
GAP = 8
LABEL = 112
COLOURS = {"income": "#067647", "payouts": "#b42318", "balance": "#175cd3"}


def _yuan(amount: Decimal) -> str:
    """12,345.67 → "1.23万" (English: "12.3k") beside a bar; the table has the exact figure."""
    if abs(amount) >= 10000:
        if get_language().startswith("en"):
            return f"{amount / 1000:,.1f}k"
        return f"{amount / 10000:.2f}万"
    return format_money(amount)


def bars(rows: list[tuple[str, Decimal]], *, colour: str = "#b42318", title: str = "") -> SafeString:
    """Horizontal bars, one per (label, amount), longest first as given."""
    if not rows:
        return mark_safe("")
    top = max(amount for _label, amount in rows) or Decimal(1)
    height = len(rows) * (BAR + GAP) + GAP
    parts = [f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{escape(title)}" '
             f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>']
    for index, (label, amount) in enumerate(rows):
        y = GAP + index * (BAR + GAP)
        length = int((WIDTH - LABEL - 70) * (amount / top)) if amount > 0 else 0
        parts.append(f'<text x="{LABEL - 6}" y="{y + BAR * 0.72:.0f}" text-anchor="end" font-size="13">'
                     f'{escape(gettext(label)[:14] if get_language().startswith("en") else label[:8])}</text>'
                     f'<rect x="{LABEL}" y="{y}" width="{max(length, 1)}" height="{BAR}" rx="3" fill="{colour}"/>'
                     f'<text x="{LABEL + length + 4}" y="{y + BAR * 0.72:.0f}" font-size="12">{_yuan(amount)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))


def timeline(points: list[tuple[str, Decimal, Decimal, Decimal]], *, title: str = "") -> SafeString:
    """Per period (label, income, payouts, closing balance): paired bars and the balance as a line.
    Labels are short (the month's number); the caption says which year."""
    if not points:
        return mark_safe("")
    height, left, bottom, top_pad = 220, 58, 30, 16
    plot_w, plot_h = WIDTH - left - 10, height - bottom - top_pad
    top = max(max(i, p, b) for _l, i, p, b in points) or Decimal(1)
    step = plot_w / len(points)
    bar = max(min(step / 3, 28), 3)

    def y(value: Decimal) -> float:
        return top_pad + plot_h - float(value / top) * plot_h

    parts = [f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{escape(title)}" '
             f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>',
             f'<line x1="{left}" y1="{top_pad + plot_h}" x2="{WIDTH - 10}" y2="{top_pad + plot_h}" stroke="#9aa5b1"/>',
             f'<text x="{left - 4}" y="{top_pad + 5}" text-anchor="end" font-size="11">{_yuan(top)}</text>',
             f'<text x="{left - 4}" y="{top_pad + plot_h}" text-anchor="end" font-size="11">0</text>']
    line = []
    for index, (label, income, payouts, balance) in enumerate(points):
        x = left + index * step + step / 2
        parts.append(f'<rect x="{x - bar:.1f}" y="{y(income):.1f}" width="{bar:.1f}" '
                     f'height="{top_pad + plot_h - y(income):.1f}" fill="{COLOURS["income"]}"/>'
                     f'<rect x="{x:.1f}" y="{y(payouts):.1f}" width="{bar:.1f}" '
                     f'height="{top_pad + plot_h - y(payouts):.1f}" fill="{COLOURS["payouts"]}"/>')
        if len(points) <= 12 or index % 3 == 0:
            parts.append(f'<text x="{x:.1f}" y="{height - bottom + 16}" text-anchor="middle" font-size="11">'
                         f'{escape(label)}</text>')
        line.append(f"{x:.1f},{y(balance):.1f}")
    parts.append(f'<polyline points="{" ".join(line)}" fill="none" stroke="{COLOURS["balance"]}" stroke-width="2"/>')
    parts.append("</svg>")
    return mark_safe("".join(parts))
