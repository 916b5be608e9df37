"""Statement builds run here. Late acknowledgement: a worker killed mid-build leaves the message
unacknowledged, another worker builds the statement again — building is idempotent."""
from celery import shared_task
from django.utils import timezone


@shared_task(acks_late=True, reject_on_worker_lost=True)
def statement_build_task(statement_id: int) -> None:
    from .services import statement_build

    statement_build(statement_id=statement_id)


@shared_task(acks_late=True)
def statement_scheduled_task(kind: str) -> int | None:
    """On the beat schedule (the 1st of each month, quarter, year): build the period just ended.
    Publishing stays a person's decision. Returns the statement's id (None before the fund's first
    period has ended: there is nothing to state yet)."""
    from .services import fund_first_day, previous_period, statement_request

    start, end = previous_period(kind, timezone.localdate())
    if start < fund_first_day(kind):
        return None
    return statement_request(kind=kind, period_start=start, period_end=end, acting_user=None).pk


@shared_task(acks_late=True)
def statement_requeue_task() -> int:
    """Every few minutes (beat): send again builds that wait (broker was down, worker died)."""
    from .services import statements_requeue

    return len(statements_requeue())
