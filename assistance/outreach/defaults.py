"""Outreach's daily schedule, ensured after every migrate (assistance/apps.py) if missing: an
administrator's edited or disabled schedule is left as it is."""
from django.db import transaction

from fundportal.defaults import daily_schedule_ensure

OPEN_DUE_TASK = "assistance.tasks.outreach_open_due_task"


@transaction.atomic
def outreach_defaults_ensure(using: str = "default") -> None:
    daily_schedule_ensure(OPEN_DUE_TASK, "应助未助：生成跟进任务（每日）", hour="1", minute="20", using=using)
