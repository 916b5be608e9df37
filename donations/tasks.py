"""The income side's Celery task, on django-celery-beat's daily schedule (donations/defaults.py)."""
from celery import shared_task

from .defaults import PLEDGE_REMINDERS_TASK
from .notices import pledge_reminders_send


@shared_task(name=PLEDGE_REMINDERS_TASK, acks_late=True)
def pledge_reminders_task() -> dict[str, int]:
    """Daily: remind donors of instalments due soon or overdue (each reminder sent once)."""
    return pledge_reminders_send()
