"""Outreach (应助未助) in the demo: the families found eligible on 2023-08-04 that never applied
become tasks for their villages when the daily run passes 30 days later (2023-09-03); each
village's officer follows up — one family will apply and does (its task closes when the Red Cross
enters the application), one declines with a reason, one is not reached three times, one will
apply but has not yet. In the demo village a family returned for re-verification is verified again
and found eligible on 2023-08-16; it has not applied either, and its task (opened 2023-09-15) waits
for `cab_village`. Everything through the services, on the days it happens."""
import datetime as dt
from decimal import Decimal

from django.db import transaction

from assistance.models import EligibilityCategory, OutreachTask, ReviewCase
from assistance.outreach.services import outreach_contact_record, outreach_open_due
from assistance.review import services as review
from fundportal.models import User

from .review import _apply, village_officer
from .story import on

REVERIFIED_ON, REDECIDED_ON = dt.date(2023, 8, 10), dt.date(2023, 8, 16)
# The daily run (01:20) on the days it opens tasks: 30 days after each decision.
RUNS = [dt.date(2023, 9, 3), dt.date(2023, 9, 15)]
APPLIED_ON = dt.date(2023, 10, 16)
# What each village's officer hears, in the order of the tasks: (day, method, result, reason).
CONTACTS = [
    [(dt.date(2023, 9, 5), "phone", "will_apply", "已电话告知救助政策，家属表示本月内到红十字会申请")],
    [(dt.date(2023, 9, 6), "visit", "declined", "入户告知救助政策，家属表示子女已承担全部医疗费用，不愿申请")],
    [(dt.date(2023, 9, 5), "phone", "unreachable", "电话停机"),
     (dt.date(2023, 9, 8), "visit", "unreachable", "入户无人，邻居称全家外出务工"),
     (dt.date(2023, 9, 12), "other", "unreachable", "托村民小组长转告，仍未联系上")],
    [(dt.date(2023, 9, 7), "visit", "will_apply", "入户讲解申请所需材料，家属在整理住院发票")],
]


@transaction.atomic
def load_outreach(*, users: dict[str, User]) -> dict[str, int]:
    """Returns the number of tasks by how they stand (跟进中, 已提出申请, …), for load_demo to print."""
    city, village_user = users["cab_city"], users["cab_village"]
    returned = (ReviewCase.objects.filter(region=village_user.region, state=ReviewCase.State.RETURNED,
                                          applications__isnull=True).select_related("person").order_by("id").first())
    if returned is not None:  # the demo village's own family, waiting for its officer
        with on(REVERIFIED_ON, 15):
            returned = review.review_case_verify(
                case=returned, acting_user=village_user, visited_on=REVERIFIED_ON, household_income=Decimal("16800"),
                household=[{"name": returned.person.name, "relation": "本人"},
                           {"name": "陈秀英", "relation": "配偶", "annual_income": Decimal("16800")}],
                housing="自建房，年久失修", assets="无机动车，无商业用房",
                notes="已补充子女工资收入证明：子女在外务工、另立户，不计入本户收入")
        with on(REDECIDED_ON, 10):
            review.review_case_determine(case=returned, acting_user=city, eligible=True,
                                         category=EligibilityCategory.objects.get(name="低保边缘家庭"))
    for day in RUNS:
        with on(day, 1, 20):
            outreach_open_due()
    first_run = OutreachTask.objects.exclude(region=village_user.region).select_related("region").order_by("id")
    for task, contacts in zip(first_run, CONTACTS):
        officer = village_officer(users, task.region)
        for day, method, result, reason in contacts:
            with on(day, 16):
                outreach_contact_record(task=task, acting_user=officer, contacted_on=day, method=method,
                                        result=result, reason=reason)
    if first_run:
        with on(APPLIED_ON, 10):  # the first family comes to the Red Cross: its task closes as applied
            case = first_run[0].review_case
            _apply(users["clerk"], case.person, case.region, 20)
    counts: dict[str, int] = {}
    for task in OutreachTask.objects.order_by("state", "outcome"):
        label = task.get_outcome_display() if task.outcome else task.get_state_display()
        counts[str(label)] = counts.get(str(label), 0) + 1
    return counts
