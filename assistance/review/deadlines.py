"""When a review case's current step must be done: the state's limit in working days (StateDeadline,
editable), counted from the day it enters the state."""
import datetime as dt

from django.utils import timezone

from fundportal.dates import add_working_days

from .models import ReviewCase, StateDeadline


def due_on(state: str, *, start: dt.date | None = None) -> dt.date | None:
    """The deadline of a case entering `state` today (None for the final states)."""
    if state not in ReviewCase.OPEN_STATES:
        return None
    limit = StateDeadline.objects.filter(state=state).values_list("working_days", flat=True).first()
    if limit is None:
        return None
    # A limit stored before the bound existed (or written around the admin) still gives a date:
    # the review never stops on an overflowing calendar.
    return add_working_days(start or timezone.localdate(), max(0, min(limit, StateDeadline.MAX_WORKING_DAYS)))
