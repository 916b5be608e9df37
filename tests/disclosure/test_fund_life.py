"""A statement covers a period within the fund's life: from the month, quarter or year holding the
fund's first day (a custom period: from that day), and ended before today. The statement service
enforces it at every step (request, build, publish), whatever form or task asked; and the public
time chart stays a chart whatever dates the published statements carry."""
import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from disclosure import charts
from disclosure.models import Statement
from disclosure.services import _publish, period_for, statement_build, statement_publish, statement_request
from tests.fixtures.personas import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind, start, end", [
    ("month", dt.date(1, 1, 1), dt.date(1, 1, 31)),
    ("year", dt.date(1900, 1, 1), dt.date(1900, 12, 31)),
    ("custom", dt.date(1900, 1, 1), dt.date(1900, 2, 1)),
    ("quarter", dt.date(2022, 10, 1), dt.date(2022, 12, 31)),  # the quarter just before the fund
    ("custom", dt.date(2022, 12, 31), dt.date(2023, 1, 31)),  # a custom period starting the day before
])
def test_a_statement_period_may_not_start_before_the_fund(finance_a, settings, kind, start, end):
    settings.FUND_START_DATE = dt.date(2023, 1, 1)
    with pytest.raises(ValidationError, match="期间早于基金设立"):
        statement_request(kind=kind, period_start=start, period_end=end, acting_user=finance_a)
    assert not Statement.objects.exists()


def test_the_calendar_period_holding_the_fund_first_day_is_a_whole_period(finance_a, settings):
    settings.FUND_START_DATE = dt.date(2023, 5, 15)
    for kind in ("month", "quarter", "year"):  # May, the second quarter, 2023: all hold 15 May
        start, end = period_for(kind, settings.FUND_START_DATE)
        assert statement_request(kind=kind, period_start=start, period_end=end, acting_user=finance_a)
    with pytest.raises(ValidationError, match="最早从 2023-05-15 开始"):
        statement_request(kind="custom", period_start=dt.date(2023, 5, 1), period_end=dt.date(2023, 5, 31),
                          acting_user=finance_a)
    assert statement_request(kind="custom", period_start=dt.date(2023, 5, 15), period_end=dt.date(2023, 6, 30),
                             acting_user=finance_a)


def test_a_statement_period_must_have_ended_before_it_is_built(finance_a):
    today = dt.date.today()
    start, end = period_for("month", today)
    with pytest.raises(ValidationError, match="已经结束的期间"):
        statement_request(kind="month", period_start=start, period_end=end, acting_user=finance_a)
    with pytest.raises(ValidationError, match="已经结束的期间"):
        statement_request(kind="custom", period_start=start, period_end=today, acting_user=finance_a)


def test_the_admin_refuses_a_statement_for_year_one(finance_a):
    staff = Client()
    staff.post("/admin/login/", {"username": finance_a.username, "password": PASSWORD, "next": "/admin/"})
    for data in ({"kind": "month", "day": "0001-01-01"}, {"kind": "year", "day": "1900-06-01"},
                 {"kind": "custom", "start": "1900-01-01", "end": "1900-02-01"}):
        response = staff.post("/admin/disclosure/statement/add/", data)
        assert response.status_code == 200 and "期间早于基金设立" in response.content.decode(), data
    assert not Statement.objects.exists()


def _written_past_the_service(**fields) -> Statement:
    """A statement row put there without statement_request (an old row, a script, a database edit)."""
    return Statement.objects.create(kind="month", period_start=dt.date(1, 1, 1), period_end=dt.date(1, 1, 31),
                                    title="1年1月收支公示", **fields)


def test_a_statement_outside_the_fund_life_is_not_built(history):
    statement = statement_build(statement_id=_written_past_the_service().pk)
    assert statement.state == Statement.State.FAILED and "期间早于基金设立" in statement.error
    assert statement.content == {}


def test_a_statement_outside_the_fund_life_is_not_published(history, finance_a):
    from disclosure.content import statement_content

    statement = _written_past_the_service(state=Statement.State.BUILT,
                                          content=statement_content(dt.date(1, 1, 1), dt.date(1, 1, 31)))
    with pytest.raises(ValidationError, match="期间早于基金设立"):
        statement_publish(statement=statement, acting_user=finance_a)
    assert Statement.objects.get(pk=statement.pk).state == Statement.State.BUILT


def test_the_schedule_builds_nothing_before_the_fund_first_period_has_ended(db, settings):
    from disclosure.tasks import statement_scheduled_task

    settings.FUND_START_DATE = dt.date.today().replace(day=1)  # the fund started this month
    assert statement_scheduled_task("month") is None and statement_scheduled_task("year") is None
    assert not Statement.objects.exists()


# ------------------------------------------------------------------ the time chart stays bounded

def _month(day: dt.date, balance=1000):
    return (day, Decimal(1000), Decimal(500), Decimal(balance))


def _slots(svg: str) -> int:
    return svg.count(f'fill="{charts.COLOURS["income"]}"')


def test_the_time_chart_draws_a_bounded_number_of_slots_whatever_the_dates():
    points = [_month(dt.date(1, 1, 1)), _month(dt.date(1900, 1, 1)),
              *(_month(dt.date(year, month, 1)) for year in range(1990, 2024) for month in range(1, 13))]
    assert charts.spans_years(points)
    svg = charts.timeline(charts.by_year(points), yearly=True)
    assert _slots(svg) == charts.YEARS_SHOWN and len(svg) < 20_000
    labels = re.findall(r'text-anchor="middle" font-size="\d+">(\d+)<', svg)
    assert "1" not in labels and "1900" not in labels and labels[-1] <= "2023" and len(labels) <= 12
    # Even asked for months over two thousand years, the chart draws only the latest window.
    assert _slots(charts.timeline(points)) <= charts.MONTHS_SHOWN and len(charts.timeline(points)) < 20_000


def test_a_year_on_the_time_chart_adds_its_months_and_ends_with_their_last_balance():
    points = [_month(dt.date(2023, 11, 1), balance=100), _month(dt.date(2023, 12, 1), balance=200),
              _month(dt.date(2024, 1, 1), balance=300)]
    assert charts.by_year(points) == [(dt.date(2023, 1, 1), Decimal(2000), Decimal(1000), Decimal(200)),
                                      (dt.date(2024, 1, 1), Decimal(1000), Decimal(500), Decimal(300))]
    assert not charts.spans_years(points)


def test_the_overview_stays_small_whatever_period_a_published_statement_carries(history, finance_a,
                                                                              django_capture_on_commit_callbacks):
    """What the probe found: a statement for the year 1 published before the rule existed."""
    from tests.disclosure.helpers import publish

    with django_capture_on_commit_callbacks(execute=True):
        publish("month", dt.date(2023, 5, 1), finance_a)
        old = _written_past_the_service(state=Statement.State.BUILT, content=Statement.objects.get().content)
        _publish(old, finance_a)
    client = Client()
    for url in ("/disclosure/", "/en/disclosure/"):
        page = b"".join(client.get(url).streaming_content).decode()
        assert len(page) < 60_000, url
        chart = page[page.index("<svg"):page.index("</svg>")]
        assert _slots(chart) <= charts.YEARS_SHOWN, url
    assert "每年收入、救助支出和年末余额" in b"".join(client.get("/disclosure/").streaming_content).decode()
