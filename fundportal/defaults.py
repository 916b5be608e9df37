"""The core's beat schedule, ensured after every migrate (only what is missing: a schedule an
administrator edited or disabled in the admin is left as it is)."""
from django.db import transaction

JOBS_REQUEUE_TASK = "fundportal.tasks.jobs_requeue_task"
JOBS_REQUEUE_NAME = "长任务：补发等待中的任务（每5分钟）"
RATELIMIT_SWEEP_TASK = "fundportal.tasks.ratelimit_sweep_task"
RATELIMIT_SWEEP_NAME = "限流计数：清除过期计数（每小时）"
NOTICES_SWEEP_TASK = "fundportal.notices.tasks.notices_sweep_task"
NOTICES_SWEEP_NAME = "短信通知：补发待发送的、标记中断的（每分钟）"
SCHEDULES = [(JOBS_REQUEUE_TASK, JOBS_REQUEUE_NAME, 5, "minutes"),
             (RATELIMIT_SWEEP_TASK, RATELIMIT_SWEEP_NAME, 1, "hours"),
             (NOTICES_SWEEP_TASK, NOTICES_SWEEP_NAME, 1, "minutes")]
# Crontab schedules, Beijing time: (task, name, crontab fields).
STAFF_DIGEST_TASK = "fundportal.tasks.staff_digest_task"
STAFF_DIGEST_NAME = "工作人员逾期待办短信提醒（每日8时）"
CRONTABS = [(STAFF_DIGEST_TASK, STAFF_DIGEST_NAME, {"minute": "0", "hour": "8"})]


@transaction.atomic
def jobs_schedule_ensure(using: str = "default") -> None:
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    for task, name, every, period in SCHEDULES:
        if not PeriodicTask.objects.using(using).filter(task=task).exists():
            interval, _ = IntervalSchedule.objects.using(using).get_or_create(every=every, period=period)
            PeriodicTask.objects.using(using).create(name=name, task=task, interval=interval)
    for task, name, fields in CRONTABS:
        daily_schedule_ensure(task, name, using=using, **fields)


def daily_schedule_ensure(task: str, name: str, *, hour: str, minute: str, using: str = "default") -> None:
    """A task run every day at hour:minute, Beijing time, unless a schedule for it exists (an
    administrator's edited or disabled one is left as it is). The apps' daily jobs use it too."""
    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    if not PeriodicTask.objects.using(using).filter(task=task).exists():
        crontab, _ = CrontabSchedule.objects.using(using).get_or_create(
            minute=minute, hour=hour, day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Shanghai")
        PeriodicTask.objects.using(using).create(name=name, task=task, crontab=crontab)


def jobs_schedule_on_migrate(sender, using="default", **kwargs) -> None:
    if sender.label == "fundportal":
        jobs_schedule_ensure(using=using)
