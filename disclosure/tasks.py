"""Statement builds run here: thin tasks over disclosure/services.py. Late acknowledgement: a
worker killed mid-build leaves the message unacknowledged; whichever comes first — the redelivered
message or the core's requeue (fundportal.tasks.jobs_requeue_task) — builds the statement again,
and a build never runs twice at once (fundportal.jobs.job_claim)."""
from celery import shared_task
from django.utils import timezone

from .services import fund_first_day, previous_period, statement_build, statement_request


@shared_task(acks_late=True, reject_on_worker_lost=True)
def statement_build_task(statement_id: int) -> None:
    statement_build(statement_id=statement_id)


@shared_task(acks_late=True)
def statement_scheduled_task(kind: str) -> int | None:
    """On the beat schedule (the 1st of each month, quarter, year): build the period just ended.
    Publishing stays a person's decision. Returns the statement's id (None before the fund's first
    period has ended: there is nothing to state yet)."""
    start, end = previous_period(kind, timezone.localdate())
    if start < fund_first_day(kind):
        return None
    return statement_request(kind=kind, period_start=start, period_end=end, acting_user=None).pk


@shared_task(acks_late=True)
def tlog_cosign_task() -> dict:
    """After each checkpoint, and on the beat schedule: ask the witnesses that have not cosigned the
    latest checkpoint (disclosure/transparency/witnesses.py)."""
    from .transparency.witnesses import cosign_latest

    return cosign_latest()
