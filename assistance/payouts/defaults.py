"""What a new installation starts with for the payouts: the beat schedule that sends again the
bank result files still waiting to be applied (assistance/apps.py ensures it after every migrate;
a disabled schedule is left as it is)."""
from django.db import transaction

BANK_RESULTS_REQUEUE_TASK = "assistance.tasks.bank_results_requeue_task"


@transaction.atomic
def payouts_defaults_ensure(using: str = "default") -> None:
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    if not PeriodicTask.objects.using(using).filter(task=BANK_RESULTS_REQUEUE_TASK).exists():
        every, _ = IntervalSchedule.objects.using(using).get_or_create(every=5, period=IntervalSchedule.MINUTES)
        PeriodicTask.objects.using(using).create(name="银行回单：补发等待中的对账任务（每5分钟）",
                                                 task=BANK_RESULTS_REQUEUE_TASK, interval=every)
