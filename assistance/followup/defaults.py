"""The daily schedules of the yearly cycle, ensured after every migrate (assistance/apps.py) if
missing: an administrator's edited or disabled schedule is left as it is."""
from django.db import transaction

from fundportal.defaults import daily_schedule_ensure

STOP_TASK = "assistance.tasks.pending_work_stop_task"
RECHECK_TASK = "assistance.tasks.review_rechecks_open_task"


@transaction.atomic
def followup_defaults_ensure(using: str = "default") -> None:
    daily_schedule_ensure(STOP_TASK, "死亡、迁出人员：终止待办事项（每日）", hour="1", minute="30", using=using)
    daily_schedule_ensure(RECHECK_TASK, "低收入资格到期：开启复审（每日）", hour="1", minute="40", using=using)
