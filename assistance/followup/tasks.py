"""Follow-up's Celery tasks: stopping the pending work of people who died or moved away, after each
settlement import (sent by name from intake) and daily (assistance/followup/defaults.py)."""
from celery import shared_task

from .stopping import pending_work_stop_all


@shared_task(name="assistance.tasks.pending_work_stop_task", acks_late=True)
def pending_work_stop_task() -> int:
    """Close what still waits on people recorded as dead or moved away (idempotent)."""
    return pending_work_stop_all()
