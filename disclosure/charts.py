"""Charts as SVG drawn on the server: no script, no font or library from the internet, readable on a
phone (they scale to the screen's width). Text is escaped; numbers are Decimal to the end.

Text is laid out by its measured width (`text_width`, the advance widths of DejaVu Sans, wider than
the fonts phones use, so an estimate errs on the safe side): the label column is as wide as the
longest label needs, up to a share of the chart, and a longer label wraps onto more lines — no
text is drawn outside the chart. Time runs proportionally along the month chart's axis: a month
without a published statement keeps its place, empty, and the balance line is broken there."""
import datetime as dt
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from fundportal.money import format_money

from .labels import shown

WIDTH = 360  # a phone's width in CSS pixels: text drawn at 13 stays readable when the chart scales
BAR = 22
GAP = 8
LABEL_SIZE, AMOUNT_SIZE, AXIS_SIZE = 13, 12, 11
LINE = 15  # a label's line height
LABEL_MAX = 0.46  # of the width: what the label column may take before labels wrap
COLOURS = {"income": "#067647", "payouts": "#b42318", "balance": "#175cd3"}

# Advance widths in em (DejaVu Sans, rounded up); anything else (CJK, other scripts) counts 1 em.
_EM = {}
for _chars, _width in (("'", 0.28), ("ijlIJ,. ", 0.32), ("f-/:;\\|", 0.36), ("rt!()[]", 0.41), ('"', 0.47),
                       ("sz*_`", 0.53), ("cL?", 0.57), ("aekovxyFPTY", 0.63), ("0123456789bdghnpquEKS${}", 0.66),
                       ("ABCRVXZ", 0.70), ("DGHNU", 0.77), ("wOQ&", 0.82), ("M#+<=>^~", 0.87), ("m%", 0.98)):
    _EM.update(dict.fromkeys(_chars, _width))


def text_width(text: str, size: float) -> float:
    """The width of `text` drawn at `size` pixels, estimated on the wide side."""
    return size * sum(_EM.get(ch, 1.0) for ch in text)


def _fit(text: str, width: float, size: float) -> str:
    """`text` cut (with …) to fit `width`."""
    if text_width(text, size) <= width:
        return text
    while text and text_width(text + "…", size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def wrap(text: str, width: float, size: float, *, lines: int = 3) -> list[str]:
    """`text` in at most `lines` lines of at most `width`: broken between words or after a hyphen
    or slash (anywhere in Chinese), the last line cut with … if it still does not fit."""
    out, rest = [], text.strip()
    while rest and len(out) < lines - 1 and text_width(rest, size) > width:
        cut = len(rest)
        while cut > 1 and text_width(rest[:cut], size) > width:
            cut -= 1
        if all(ord(ch) < 0x2E80 for ch in rest[:cut]):  # not Chinese: between words, or after - or /
            breaks = [rest.rfind(" ", 0, cut + 1), max(rest.rfind("-", 0, cut), rest.rfind("/", 0, cut)) + 1]
            cut = max(breaks) if max(breaks) > 1 else cut
        out.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        out.append(_fit(rest, width, size))
    return out


def _yuan(amount: Decimal) -> str:
    """12,345.67 → "1.23万" (English: "12.3k") beside a bar; the table has the exact figure."""
    if abs(amount) >= 10000:
        if get_language().startswith("en"):
            return f"{amount / 1000:,.1f}k"
        return f"{amount / 10000:.2f}万"
    return format_money(amount)


def _svg(height: float, title: str) -> str:
    return (f'<svg class="chart" viewBox="0 0 {WIDTH} {height:.0f}" role="img" aria-label="{escape(title)}" '
            f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>')


def bars(rows: list[tuple[str, Decimal]], *, colour: str = "#b42318", title: str = "") -> SafeString:
    """Horizontal bars, one per (label, amount), longest first as given. Labels are published
    (Chinese) names, shown in the reader's language."""
    if not rows:
        return mark_safe("")
    labels = [shown(label) for label, _amount in rows]
    amounts = [_yuan(amount) for _label, amount in rows]
    column = min(max(text_width(label, LABEL_SIZE) for label in labels), WIDTH * LABEL_MAX)
    lines = [wrap(label, column, LABEL_SIZE) for label in labels]
    row = max(BAR, LINE * max(len(label) for label in lines)) + GAP
    left = GAP + column + 6  # where bars start
    room = WIDTH - left - max(text_width(text, AMOUNT_SIZE) for text in amounts) - 8
    top = max(amount for _label, amount in rows) or Decimal(1)
    parts = [_svg(GAP + len(rows) * row, title)]
    for index, ((_label, amount), label, text) in enumerate(zip(rows, lines, amounts)):
        middle = GAP + index * row + (row - GAP) / 2
        length = int(room * float(amount / top)) if amount > 0 else 0
        first = middle + 4.5 - LINE * (len(label) - 1) / 2  # baseline of the first line
        tspans = "".join(f'<tspan x="{left - 6:.0f}" y="{first + LINE * n:.0f}">{escape(line)}</tspan>'
                         for n, line in enumerate(label))
        parts.append(f'<text text-anchor="end" font-size="{LABEL_SIZE}">{tspans}</text>'
                     f'<rect x="{left:.0f}" y="{middle - BAR / 2:.0f}" width="{max(length, 1)}" height="{BAR}" rx="3" '
                     f'fill="{colour}"/>'
                     f'<text x="{left + length + 4:.0f}" y="{middle + 4:.0f}" font-size="{AMOUNT_SIZE}">'
                     f'{escape(text)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))


# However long the history (or however wrong a published date), the time chart draws a bounded
# number of slots: months while they span at most MONTHS_SHOWN, else years, the latest YEARS_SHOWN.
MONTHS_SHOWN = 36
YEARS_SHOWN = 30


def _month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def spans_years(points: list[tuple[dt.date, Decimal, Decimal, Decimal]]) -> bool:
    """Whether the months span more than the month chart shows (then it is drawn by year)."""
    return bool(points) and _month_index(max(points)[0]) - _month_index(min(points)[0]) + 1 > MONTHS_SHOWN


def by_year(points: list[tuple[dt.date, Decimal, Decimal, Decimal]]) -> list[tuple[dt.date, Decimal, Decimal, Decimal]]:
    """Months summed into their years: income and payouts added, the balance at the year's last month."""
    years: dict[int, tuple[dt.date, Decimal, Decimal, Decimal]] = {}
    for day, income, payouts, balance in sorted(points):
        _first, total_in, total_out, _balance = years.get(day.year, (day, Decimal(0), Decimal(0), balance))
        years[day.year] = (dt.date(day.year, 1, 1), total_in + income, total_out + payouts, balance)
    return list(years.values())


def timeline(points: list[tuple[dt.date, Decimal, Decimal, Decimal]], *, title: str = "",
             yearly: bool = False) -> SafeString:
    """Per month (its first day, income, payouts, closing balance) — or per year, `yearly`: paired
    bars at the slot's place on a proportional time axis, and the balance as a line through the
    slots that have one. Only the latest MONTHS_SHOWN months (YEARS_SHOWN years) are drawn."""
    if not points:
        return mark_safe("")
    index = (lambda day: day.year) if yearly else _month_index
    last = index(max(points)[0])
    first = max(index(min(points)[0]), last - (YEARS_SHOWN if yearly else MONTHS_SHOWN) + 1)
    points = sorted(point for point in points if index(point[0]) >= first)
    span = last - first + 1
    height, bottom, top_pad = 220, 30, 16
    top = max(max(i, p, b) for _d, i, p, b in points) or Decimal(1)
    left = max(text_width(_yuan(top), AXIS_SIZE), text_width("0", AXIS_SIZE)) + 10
    plot_w, plot_h = WIDTH - left - 10, height - bottom - top_pad
    step = plot_w / span
    bar = max(min(step / 3, 28), 1)
    one_year = points[0][0].year == points[-1][0].year

    def x(slot: int) -> float:
        return left + (slot - first) * step + step / 2

    def y(value: Decimal) -> float:
        return top_pad + plot_h - float(value / top) * plot_h

    parts = [_svg(height, title),
             f'<line x1="{left:.1f}" y1="{top_pad + plot_h}" x2="{WIDTH - 10}" y2="{top_pad + plot_h}" stroke="#9aa5b1"/>',
             f'<text x="{left - 4:.1f}" y="{top_pad + 5}" text-anchor="end" font-size="{AXIS_SIZE}">{_yuan(top)}</text>',
             f'<text x="{left - 4:.1f}" y="{top_pad + plot_h}" text-anchor="end" font-size="{AXIS_SIZE}">0</text>']
    every = 1 if span <= 12 else 3 if not yearly else (span + 9) // 10
    for slot in range(first, last + 1):  # every slot has its place, published or not
        if (slot - first) % every == 0:
            year, number = divmod(slot, 12)
            text = (f"{slot}" if yearly else f"{number + 1}" if one_year
                    else f"{year % 100:02d}/{number + 1:02d}")
            parts.append(f'<text x="{x(slot):.1f}" y="{height - bottom + 16}" text-anchor="middle" '
                         f'font-size="{AXIS_SIZE}">{text}</text>')
    runs, previous = [], None
    for day, income, payouts, balance in points:
        slot = index(day)
        parts.append(f'<rect x="{x(slot) - bar:.1f}" y="{y(income):.1f}" width="{bar:.1f}" '
                     f'height="{top_pad + plot_h - y(income):.1f}" fill="{COLOURS["income"]}"/>'
                     f'<rect x="{x(slot):.1f}" y="{y(payouts):.1f}" width="{bar:.1f}" '
                     f'height="{top_pad + plot_h - y(payouts):.1f}" fill="{COLOURS["payouts"]}"/>')
        if previous is None or slot != previous + 1:
            runs.append([])  # a slot missing before this one: the line stops and starts again
        runs[-1].append(f"{x(slot):.1f},{y(balance):.1f}")
        previous = slot
    for run in runs:
        if len(run) == 1:
            cx, cy = run[0].split(",")
            parts.append(f'<circle cx="{cx}" cy="{cy}" r="2.5" fill="{COLOURS["balance"]}"/>')
        else:
            parts.append(f'<polyline points="{" ".join(run)}" fill="none" stroke="{COLOURS["balance"]}" '
                         f'stroke-width="2"/>')
    parts.append("</svg>")
    return mark_safe("".join(parts))


def funnel(stages: list[tuple[str, int | None]], *, title: str = "", apart: int = 0) -> SafeString:
    """The funnel: one bar per (label, people) in order, centred, so the stages narrow as people
    drop out; a hidden count (None, disclosure/suppression.py) has no bar and reads "*". The last
    `apart` rows are not stages (应助未助): drawn in the payouts' red. Labels are in the reader's
    language already."""
    if not stages:
        return mark_safe("")
    texts = ["*" if people is None else f"{people:,}" for _label, people in stages]
    column = min(max(text_width(label, LABEL_SIZE) for label, _people in stages), WIDTH * LABEL_MAX)
    lines = [wrap(label, column, LABEL_SIZE) for label, _people in stages]
    row = max(BAR, LINE * max(len(label) for label in lines)) + GAP
    left = GAP + column + 6
    number = max(text_width(text, AMOUNT_SIZE) for text in texts) + 8
    room = WIDTH - left - number
    top = max((people for _label, people in stages if people), default=0) or 1
    parts = [_svg(GAP + len(stages) * row, title)]
    for index, ((_label, people), label, text) in enumerate(zip(stages, lines, texts)):
        middle = GAP + index * row + (row - GAP) / 2
        length = room * people / top if people else 0
        first = middle + 4.5 - LINE * (len(label) - 1) / 2
        tspans = "".join(f'<tspan x="{left - 6:.0f}" y="{first + LINE * n:.0f}">{escape(line)}</tspan>'
                         for n, line in enumerate(label))
        parts.append(f'<text text-anchor="end" font-size="{LABEL_SIZE}">{tspans}</text>')
        if length:
            parts.append(f'<rect x="{left + (room - length) / 2:.1f}" y="{middle - BAR / 2:.0f}" '
                         f'width="{max(length, 1):.1f}" height="{BAR}" rx="3" '
                         f'fill="{COLOURS["payouts" if index >= len(stages) - apart else "balance"]}"/>')
        parts.append(f'<text x="{WIDTH - 4}" y="{middle + 4:.0f}" text-anchor="end" font-size="{AMOUNT_SIZE}">'
                     f'{escape(text)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))
