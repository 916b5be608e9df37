"""The charts on the public pages: every label inside the picture in either language (measured with
real fonts, not the chart's own estimate), categories in English on English pages, and time drawn
proportionally on the month chart."""
import datetime as dt
import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import translation
from PIL import ImageFont

from assistance.review.defaults import CATEGORIES
from disclosure import charts
from disclosure.labels import shown
from donations.models import Donor

SVG = "{http://www.w3.org/2000/svg}"
LATIN = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 100)
CJK = ImageFont.truetype("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 100)


def drawn_width(text: str, size: float) -> float:
    """The text's width as a browser draws it: DejaVu Sans (the Latin fallback here, and one of the
    widest), Noto Sans CJK for Chinese."""
    return sum((CJK if ord(ch) >= 0x2E80 else LATIN).getlength(ch) for ch in text) * size / 100


def text_outside(svg: str) -> list[str]:
    """Each piece of text that runs past the viewBox's left or right edge, or its bottom."""
    root = ET.fromstring(svg)
    _x, _y, width, height = map(float, root.get("viewBox").split())
    outside = []
    for text in root.iter(f"{SVG}text"):
        size, anchor = float(text.get("font-size")), text.get("text-anchor", "start")
        pieces = [(span.get("x"), span.get("y"), span.text) for span in text.iter(f"{SVG}tspan")] or \
                 [(text.get("x"), text.get("y"), text.text)]
        for x, y, content in pieces:
            x, y, drawn = float(x), float(y), drawn_width(content or "", size)
            start = {"start": x, "middle": x - drawn / 2, "end": x - drawn}[anchor]
            if start < 0 or start + drawn > width or y > height or y - size < 0:
                outside.append(f"{content!r} from {start:.1f} to {start + drawn:.1f} (width {width})")
    return outside


LONG_AMOUNTS = [Decimal("1479200.00"), Decimal("855300.00"), Decimal("9999.99"), Decimal("311000.00"),
                Decimal("600000.00"), Decimal("17800.00"), Decimal("5000.00"), Decimal("84500.00"), Decimal("1.00")]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_no_chart_label_runs_outside_the_chart(language):
    labels = [*Donor.OrgKind.labels, *CATEGORIES, "匿名", "个人", "瑞安市安阳街道社区卫生服务中心",
              "Households with very long category names of their own"]
    with translation.override(language):
        for group in (labels[:9], labels[9:]):
            svg = charts.bars([(str(label), amount) for label, amount in zip(group, LONG_AMOUNTS)], title="t")
            assert text_outside(svg) == []
        months = [(dt.date(2023, month, 1), Decimal("1479200.00"), Decimal("150573.00"), Decimal("1328627.00"))
                  for month in range(1, 13)]
        for span in (months, months + [(dt.date(2025, 6, 1), Decimal(0), Decimal(0), Decimal("100"))]):
            assert text_outside(charts.timeline(span, title="t")) == []


def test_long_english_labels_wrap_rather_than_being_cut_short():
    with translation.override("en"):
        svg = charts.bars([("低保边缘家庭", Decimal("30000")), ("支出型困难家庭", Decimal("20000"))])
    lines = [span.text for span in ET.fromstring(svg).iter(f"{SVG}tspan")]
    assert len(lines) > 2 and "…" not in "".join(lines)
    with translation.override("en"):
        assert shown("低保边缘家庭").replace(" ", "") in "".join(lines).replace(" ", "")


def test_english_pages_show_the_standard_categories_in_english():
    with translation.override("en"):
        english = [shown(name) for name in CATEGORIES]
    assert all(re.fullmatch(r"[A-Za-z ,\-()]+", name) for name in english), english
    assert len(set(english)) == len(CATEGORIES)
    with translation.override("zh-hans"):
        assert [shown(name) for name in CATEGORIES] == CATEGORIES


def test_a_category_the_bureau_added_is_shown_as_published():
    with translation.override("en"):
        assert shown("因病致贫重点户") == "因病致贫重点户"
        assert shown("") == ""


@pytest.mark.django_db
def test_statement_and_overview_pages_in_english_carry_no_chinese_category(history, finance_a,
                                                                           django_capture_on_commit_callbacks):
    from disclosure.services import period_for, statement_build, statement_publish, statement_request

    start, end = period_for("month", dt.date(2023, 6, 1))
    with django_capture_on_commit_callbacks(execute=True):
        june = statement_publish(statement=statement_build(statement_id=statement_request(
            kind="month", period_start=start, period_end=end, acting_user=finance_a).pk), acting_user=finance_a)
    assert {row["category"] for row in june.content["payouts"]["rows"]} == {"低保对象"}
    client = Client()
    for url in (f"/en/disclosure/statements/{june.sequence}/", "/en/disclosure/"):
        page = b"".join(client.get(url).streaming_content).decode()
        words = " ".join(re.sub(r"<[^>]+>", " ", page).split())  # a chart's label may take two lines
        assert "低保对象" not in page and "Minimum living allowance recipients" in words, url
    chinese = b"".join(client.get(f"/disclosure/statements/{june.sequence}/").streaming_content).decode()
    assert "低保对象" in chinese


def _positions(svg: str) -> tuple[list[float], list[list[tuple[float, float]]]]:
    root = ET.fromstring(svg)
    income = [float(rect.get("x")) + float(rect.get("width")) for rect in root.iter(f"{SVG}rect")
              if rect.get("fill") == charts.COLOURS["income"]]  # each income bar ends at its month's centre
    lines = [[tuple(map(float, point.split(","))) for point in line.get("points").split()]
             for line in root.iter(f"{SVG}polyline")]
    return income, lines


def test_months_sit_on_a_proportional_time_axis_and_the_line_breaks_where_one_is_missing():
    points = [(dt.date(2023, month, 1), Decimal(1000), Decimal(500), Decimal(500 * month)) for month in (1, 2, 5, 6)]
    income, lines = _positions(charts.timeline(points))
    step = income[1] - income[0]
    assert step > 0 and income[2] - income[1] == pytest.approx(3 * step, abs=0.2) and income[3] - income[2] == \
        pytest.approx(step, abs=0.2)
    assert [[x for x, _y in line] for line in lines] == [
        [pytest.approx(income[0], abs=0.2), pytest.approx(income[1], abs=0.2)],
        [pytest.approx(income[2], abs=0.2), pytest.approx(income[3], abs=0.2)]]


def test_months_across_years_keep_their_distance_and_a_lone_month_is_a_point():
    points = [(dt.date(2023, 11, 1), Decimal(1), Decimal(1), Decimal(1)),
              (dt.date(2023, 12, 1), Decimal(1), Decimal(1), Decimal(2)),
              (dt.date(2024, 12, 1), Decimal(1), Decimal(1), Decimal(3))]
    svg = charts.timeline(points)
    income, lines = _positions(svg)
    assert income[2] - income[1] == pytest.approx(12 * (income[1] - income[0]), abs=1)
    assert len(lines) == 1 and svg.count("<circle") == 1
    assert "23/11" in svg and "24/11" in svg  # every third month labelled over a long span
