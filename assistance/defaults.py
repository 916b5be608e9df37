"""What a new installation starts with: for the eligibility review, the categories of the national
guidance, the time limits and the daily overdue count's schedule; for the council, its five member
agencies and a majority quorum. All stay editable in the admin.

Ensured after every migrate (and every test-database flush), creating only what is missing: an
edited limit or a disabled schedule is left as it is."""
from django.db import transaction

CATEGORIES = ["特困人员", "低保对象", "低保边缘家庭", "支出型困难家庭", "防止返贫监测对象"]
DEADLINES = {"first_screening": 5, "at_town": 5, "at_village": 10, "verified": 5, "returned": 10}  # working days
OVERDUE_TASK = "assistance.tasks.review_overdue_count_task"
BANK_RESULTS_REQUEUE_TASK = "assistance.tasks.bank_results_requeue_task"
COUNCIL_MEMBERS = ["市医疗保障局", "市民政局", "市总工会", "市红十字会", "市慈善总会"]


@transaction.atomic
def review_defaults_ensure(using: str = "default") -> None:
    from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

    from .models import EligibilityCategory, StateDeadline

    if not EligibilityCategory.objects.using(using).exists():
        EligibilityCategory.objects.using(using).bulk_create(
            EligibilityCategory(name=name, order=order) for order, name in enumerate(CATEGORIES, start=1))
    for state, days in DEADLINES.items():
        StateDeadline.objects.using(using).get_or_create(state=state, defaults={"working_days": days})
    if not PeriodicTask.objects.using(using).filter(task=OVERDUE_TASK).exists():
        morning, _ = CrontabSchedule.objects.using(using).get_or_create(
            minute="10", hour="1", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Shanghai")
        PeriodicTask.objects.using(using).create(name="民政审核逾期统计（每日）", task=OVERDUE_TASK, crontab=morning)
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


def review_defaults_on_migrate(sender, using="default", **kwargs) -> None:
    if sender.label == "assistance":
        review_defaults_ensure(using=using)
        council_defaults_ensure(using=using)
