"""Outreach's Celery task, on django-celery-beat's daily schedule (assistance/outreach/defaults.py)."""
from celery import shared_task

from .services import outreach_open_due


@shared_task(name="assistance.tasks.outreach_open_due_task", acks_late=True)
def outreach_open_due_task() -> int:
    """Daily: eligible families that have not applied become tasks for their village (idempotent)."""
    return outreach_open_due()
