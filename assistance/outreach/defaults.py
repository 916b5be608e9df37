"""Outreach's daily schedule, ensured after every migrate (assistance/apps.py) if missing: an
administrator's edited or disabled schedule is left as it is."""
from django.db import transaction

OPEN_DUE_TASK = "assistance.tasks.outreach_open_due_task"


@transaction.atomic
def outreach_defaults_ensure(using: str = "default") -> None:
    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    if not PeriodicTask.objects.using(using).filter(task=OPEN_DUE_TASK).exists():
        morning, _ = CrontabSchedule.objects.using(using).get_or_create(
            minute="20", hour="1", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Shanghai")
        PeriodicTask.objects.using(using).create(name="应助未助：生成跟进任务（每日）", task=OPEN_DUE_TASK, crontab=morning)
