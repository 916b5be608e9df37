"""The demo's statements: every month of the fund's first year (from June 2023, when it was set
up), its quarters and the year 2023, built by the Celery task's own function and published into
the hash chain in the order, and on the day, the Charity Federation publishes them: early in the
month after each period. The year statement (2024-01-19) carries the funnel of the year's work,
2023's assistance on 2022's costs (disclosure/funnel.py), which the overview then draws. The same day,
once the year statement is out, finance publishes the 2023 annual report (disclosure/annual/), well
before its 31 May deadline."""
import datetime as dt

from disclosure.annual.services import annual_report_publish
from disclosure.models import Statement
from disclosure.services import period_for, statement_build, statement_publish, statement_request
from fundportal.models import User

from .story import on

YEAR = 2023
# (kind, a day in the period, the day it is published)
PUBLICATIONS = [
    ("month", dt.date(YEAR, 6, 1), dt.date(2023, 7, 5)),
    ("quarter", dt.date(YEAR, 4, 1), dt.date(2023, 7, 10)),
    ("month", dt.date(YEAR, 7, 1), dt.date(2023, 8, 4)),
    ("month", dt.date(YEAR, 8, 1), dt.date(2023, 9, 5)),
    ("month", dt.date(YEAR, 9, 1), dt.date(2023, 10, 9)),  # after the National Day holiday
    ("quarter", dt.date(YEAR, 7, 1), dt.date(2023, 10, 13)),
    ("month", dt.date(YEAR, 10, 1), dt.date(2023, 11, 6)),
    ("month", dt.date(YEAR, 11, 1), dt.date(2023, 12, 5)),
    ("month", dt.date(YEAR, 12, 1), dt.date(2024, 1, 5)),
    ("quarter", dt.date(YEAR, 10, 1), dt.date(2024, 1, 10)),
    ("year", dt.date(YEAR, 1, 1), dt.date(2024, 1, 19)),
]


def load_statements(*, users: dict[str, User], publications=PUBLICATIONS) -> int:
    """Each (kind, a day in the period, the day it is published), built and published that day."""
    finance = users["finance"]
    for kind, day, published_on in publications:
        start, end = period_for(kind, day)
        with on(published_on, 10):
            statement = statement_request(kind=kind, period_start=start, period_end=end, acting_user=finance)
            # The request queued the Celery task for when it commits (in process, with no broker); the
            # demo builds here too, so it also works inside one transaction. Building twice is harmless.
            statement_build(statement_id=statement.pk)
            statement_publish(statement=Statement.objects.get(pk=statement.pk), acting_user=finance)
    return len(publications)


def load_annual_report(*, users: dict[str, User]) -> Statement:
    """The 2023 annual report (年度工作报告及财务会计报告), published after the year statement."""
    with on(dt.date(2024, 1, 19), 11):
        return annual_report_publish(year=YEAR, acting_user=users["finance"])
