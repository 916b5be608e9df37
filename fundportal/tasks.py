"""The core's own Celery tasks, on django-celery-beat's schedule (fundportal/defaults.py)."""
from celery import shared_task

from .jobs import jobs_requeue_all
# Celery's autodiscovery imports each app's tasks module: the notices' tasks are the core's.
from .notices.tasks import notice_send_task, notices_sweep_task  # noqa: F401
from .ratelimits import ratelimit_sweep


@shared_task(acks_late=True)
def jobs_requeue_task() -> int:
    """Every few minutes (beat): send again every job that waits — queued while the broker was
    down, or left running by a worker that died. Returns how many were sent."""
    return sum(len(sent) for sent in jobs_requeue_all().values())


@shared_task
def ratelimit_sweep_task() -> int:
    """Hourly (beat): delete the rate-limit counts no window weighs any more."""
    return ratelimit_sweep()
