"""The review's Celery task, on django-celery-beat's daily schedule (assistance/review/defaults.py)."""
from celery import shared_task

from .rechecks import review_rechecks_open
from .services import review_overdue_count_record


@shared_task(name="assistance.tasks.review_overdue_count_task", acks_late=True)
def review_overdue_count_task() -> int:
    """Daily (django-celery-beat): record how many review cases are past their deadline."""
    return review_overdue_count_record()


@shared_task(name="assistance.tasks.review_rechecks_open_task", acks_late=True)
def review_rechecks_open_task() -> int:
    """Daily: a re-review for each eligibility about to lapse (assistance/review/rechecks.py)."""
    return review_rechecks_open()
