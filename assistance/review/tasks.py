"""The review's Celery task, on django-celery-beat's daily schedule (assistance/review/defaults.py)."""
from celery import shared_task

from .services import review_overdue_count_record


@shared_task(name="assistance.tasks.review_overdue_count_task", acks_late=True)
def review_overdue_count_task() -> int:
    """Daily (django-celery-beat): record how many review cases are past their deadline."""
    return review_overdue_count_record()
