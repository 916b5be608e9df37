"""Interim: the council's and the payouts' starting data (moves to their stages)."""
from django.db import transaction

BANK_RESULTS_REQUEUE_TASK = "assistance.tasks.bank_results_requeue_task"
COUNCIL_MEMBERS = ["市医疗保障局", "市民政局", "市总工会", "市红十字会", "市慈善总会"]


@transaction.atomic
def payouts_defaults_ensure(using: str = "default") -> None:
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    if not PeriodicTask.objects.using(using).filter(task=BANK_RESULTS_REQUEUE_TASK).exists():
        every, _ = IntervalSchedule.objects.using(using).get_or_create(every=5, period=IntervalSchedule.MINUTES)
        PeriodicTask.objects.using(using).create(name="银行回单：补发等待中的对账任务（每5分钟）",
                                                 task=BANK_RESULTS_REQUEUE_TASK, interval=every)


@transaction.atomic
def council_defaults_ensure(using: str = "default") -> None:
    """The five member agencies and a majority quorum, if none are recorded yet."""
    from .models import CouncilMember, QuorumRule

    if not CouncilMember.objects.using(using).exists():
        CouncilMember.objects.using(using).bulk_create(
            CouncilMember(name=name, order=order) for order, name in enumerate(COUNCIL_MEMBERS, start=1))
    if not QuorumRule.objects.using(using).exists():
        QuorumRule.objects.using(using).create()
