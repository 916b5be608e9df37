"""The core's own Celery task: the one requeue of every long job (fundportal/jobs.py)."""
from celery import shared_task

from .jobs import jobs_requeue_all


@shared_task(acks_late=True)
def jobs_requeue_task() -> int:
    """Every few minutes (beat): send again every job that waits — queued while the broker was
    down, or left running by a worker that died. Returns how many were sent."""
    return sum(len(sent) for sent in jobs_requeue_all().values())
