"""The demo's statements: every month, quarter and the year 2023, built by the Celery task's own
function and published in order into the hash chain, as the Charity Federation would."""
import datetime as dt

from disclosure.models import Statement
from disclosure.services import period_for, statement_build, statement_publish, statement_request
from fundportal.models import User

YEAR = 2023


def load_statements(*, users: dict[str, User]) -> int:
    finance = users["finance"]
    periods = [("month", dt.date(YEAR, month, 1)) for month in range(1, 13)]
    periods += [("quarter", dt.date(YEAR, month, 1)) for month in (1, 4, 7, 10)]
    periods.append(("year", dt.date(YEAR, 1, 1)))
    for kind, day in periods:
        start, end = period_for(kind, day)
        statement = statement_request(kind=kind, period_start=start, period_end=end, acting_user=finance)
        # The request queued the Celery task for when it commits (in process, with no broker); the
        # demo builds here too, so it also works inside one transaction. Building twice is harmless.
        statement_build(statement_id=statement.pk)
        statement_publish(statement=Statement.objects.get(pk=statement.pk), acting_user=finance)
    return len(periods)
