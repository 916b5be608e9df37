"""The core's beat schedule, ensured after every migrate (only what is missing: a schedule an
administrator edited or disabled in the admin is left as it is)."""
from django.db import transaction

JOBS_REQUEUE_TASK = "fundportal.tasks.jobs_requeue_task"
JOBS_REQUEUE_NAME = "长任务：补发等待中的任务（每5分钟）"


@transaction.atomic
def jobs_schedule_ensure(using: str = "default") -> None:
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    if not PeriodicTask.objects.using(using).filter(task=JOBS_REQUEUE_TASK).exists():
        every, _ = IntervalSchedule.objects.using(using).get_or_create(every=5, period=IntervalSchedule.MINUTES)
        PeriodicTask.objects.using(using).create(name=JOBS_REQUEUE_NAME, task=JOBS_REQUEUE_TASK, interval=every)


def jobs_schedule_on_migrate(sender, using="default", **kwargs) -> None:
    if sender.label == "fundportal":
        jobs_schedule_ensure(using=using)
