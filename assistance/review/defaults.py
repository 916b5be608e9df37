"""What a new installation starts with for the eligibility review: the categories of the national
guidance, the time limits, and the daily overdue count's schedule. All stay editable in the admin.

Ensured after every migrate (and every test-database flush, assistance/apps.py), creating only
what is missing: an edited limit or a disabled schedule is left as it is."""
from django.db import transaction

from .models import EligibilityCategory, StateDeadline

CATEGORIES = ["特困人员", "低保对象", "低保边缘家庭", "支出型困难家庭", "防止返贫监测对象"]
DEADLINES = {"first_screening": 5, "at_town": 5, "at_village": 10, "verified": 5, "returned": 10}  # working days
OVERDUE_TASK = "assistance.tasks.review_overdue_count_task"


@transaction.atomic
def review_defaults_ensure(using: str = "default") -> None:
    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    if not EligibilityCategory.objects.using(using).exists():
        EligibilityCategory.objects.using(using).bulk_create(
            EligibilityCategory(name=name, order=order) for order, name in enumerate(CATEGORIES, start=1))
    for state, days in DEADLINES.items():
        StateDeadline.objects.using(using).get_or_create(state=state, defaults={"working_days": days})
    if not PeriodicTask.objects.using(using).filter(task=OVERDUE_TASK).exists():
        morning, _ = CrontabSchedule.objects.using(using).get_or_create(
            minute="10", hour="1", day_of_week="*", day_of_month="*", month_of_year="*", timezone="Asia/Shanghai")
        PeriodicTask.objects.using(using).create(name="民政审核逾期统计（每日）", task=OVERDUE_TASK, crontab=morning)
