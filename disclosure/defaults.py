"""The statements' beat schedule, ensured after every migrate (only what is missing: a schedule an
administrator edited or disabled in the admin is left as it is). Builds that wait are sent again by
the core's one requeue of every long job (fundportal/defaults.py)."""
from django.db import transaction

SCHEDULED_TASK = "disclosure.tasks.statement_scheduled_task"
# kind → (name, crontab fields): just after midnight on the first day of the new period.
SCHEDULES = {
    "month": ("收支公示：上月（每月1日）", {"minute": "20", "hour": "2", "day_of_month": "1", "month_of_year": "*"}),
    "quarter": ("收支公示：上季度（每季度首日）",
                {"minute": "40", "hour": "2", "day_of_month": "1", "month_of_year": "1,4,7,10"}),
    "year": ("收支公示：上年度（每年1月1日）", {"minute": "0", "hour": "3", "day_of_month": "1", "month_of_year": "1"}),
}


@transaction.atomic
def statement_schedules_ensure(using: str = "default") -> None:
    import json

    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    for kind, (name, fields) in SCHEDULES.items():
        if PeriodicTask.objects.using(using).filter(task=SCHEDULED_TASK, kwargs=json.dumps({"kind": kind})).exists():
            continue
        crontab, _ = CrontabSchedule.objects.using(using).get_or_create(day_of_week="*", timezone="Asia/Shanghai",
                                                                        **fields)
        PeriodicTask.objects.using(using).create(name=name, task=SCHEDULED_TASK, crontab=crontab,
                                                 kwargs=json.dumps({"kind": kind}))


COSIGN_TASK = "disclosure.tasks.tlog_cosign_task"
COSIGN_SCHEDULE = ("透明日志：请未副署的见证方副署（每15分钟）", {"minute": "*/15", "hour": "*", "day_of_month": "*",
                                                   "month_of_year": "*"})


@transaction.atomic
def cosign_schedule_ensure(using: str = "default") -> None:
    """A witness that was down when a checkpoint was signed is asked again until it cosigns."""
    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    if PeriodicTask.objects.using(using).filter(task=COSIGN_TASK).exists():
        return
    name, fields = COSIGN_SCHEDULE
    crontab, _ = CrontabSchedule.objects.using(using).get_or_create(day_of_week="*", timezone="Asia/Shanghai", **fields)
    PeriodicTask.objects.using(using).create(name=name, task=COSIGN_TASK, crontab=crontab)


def statement_schedules_on_migrate(sender, using="default", **kwargs) -> None:
    if sender.label == "disclosure":
        statement_schedules_ensure(using=using)
        cosign_schedule_ensure(using=using)
