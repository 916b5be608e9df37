"""Publishing statements and checking them, as the disclosure tests do it."""
import io

from django.core.management import CommandError, call_command

from disclosure.models import Statement
from disclosure.services import period_for, statement_build, statement_publish, statement_request


def publish(kind, day, user) -> Statement:
    start, end = period_for(kind, day)
    statement = statement_request(kind=kind, period_start=start, period_end=end, acting_user=user)
    return statement_publish(statement=statement_build(statement_id=statement.pk), acting_user=user)


def build(kind, day, user) -> Statement:
    """A statement of the period around `day`, requested and built, not published."""
    start, end = period_for(kind, day)
    return statement_build(statement_id=statement_request(kind=kind, period_start=start, period_end=end,
                                                          acting_user=user).pk)


def verify_command() -> tuple[bool, str]:
    err = io.StringIO()
    try:
        call_command("verify_statements", stdout=io.StringIO(), stderr=err)
    except CommandError:
        return False, err.getvalue()
    return True, err.getvalue()
