"""The income side's beat schedule: the daily pledge reminders, ensured after every migrate (only
if missing: a schedule an administrator edited or disabled in the admin is left as it is)."""
from django.db import transaction

from fundportal.defaults import daily_schedule_ensure

PLEDGE_REMINDERS_TASK = "donations.tasks.pledge_reminders_task"  # donations/tasks.py
PLEDGE_REMINDERS_NAME = "认捐分期到期及逾期短信提醒（每日）"


@transaction.atomic
def donations_schedule_ensure(using: str = "default") -> None:
    # Mid-morning, when an SMS about money is welcome rather than a disturbance.
    daily_schedule_ensure(PLEDGE_REMINDERS_TASK, PLEDGE_REMINDERS_NAME, hour="9", minute="30", using=using)


def donations_schedule_on_migrate(sender, using="default", **kwargs) -> None:
    if sender.label == "donations":
        donations_schedule_ensure(using=using)
