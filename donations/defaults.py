"""The income side's beat schedule: the daily pledge reminders, ensured after every migrate (only
if missing: a schedule an administrator edited or disabled in the admin is left as it is)."""
from django.db import transaction

PLEDGE_REMINDERS_TASK = "donations.tasks.pledge_reminders_task"  # donations/tasks.py
PLEDGE_REMINDERS_NAME = "认捐分期到期及逾期短信提醒（每日）"


@transaction.atomic
def donations_schedule_ensure(using: str = "default") -> None:
    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    if not PeriodicTask.objects.using(using).filter(task=PLEDGE_REMINDERS_TASK).exists():
        # Mid-morning, when an SMS about money is welcome rather than a disturbance.
        morning, _ = CrontabSchedule.objects.using(using).get_or_create(
            minute="30", hour="9", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Shanghai")
        PeriodicTask.objects.using(using).create(name=PLEDGE_REMINDERS_NAME, task=PLEDGE_REMINDERS_TASK,
                                                 crontab=morning)


def donations_schedule_on_migrate(sender, using="default", **kwargs) -> None:
    if sender.label == "donations":
        donations_schedule_ensure(using=using)
