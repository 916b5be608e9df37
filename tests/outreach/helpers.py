"""Helpers of the outreach tests (plain functions; the fixtures are in conftest.py)."""
import datetime as dt
from decimal import Decimal

from django.utils import timezone

from assistance.applications.services import application_submit
from assistance.models import Application, EligibilityCategory, ReviewCase
from assistance.review import services as review
from tests.fixtures.screening import YEAR


def make_eligible(case: ReviewCase, *, cab_city, cab_town, village_officer, category: str = "低保对象") -> ReviewCase:
    """The case taken the whole way through the review's services: found eligible today."""
    case = review.review_case_dispatch(case=case, acting_user=cab_city)
    case = review.review_case_assign(case=case, acting_user=cab_town)
    case = review.review_case_verify(case=case, acting_user=village_officer, household_income=Decimal("12000"),
                                     household=[{"name": case.person.name, "relation": "本人"}],
                                     visited_on=timezone.localdate())
    return review.review_case_determine(case=case, acting_user=cab_city, eligible=True,
                                        category=EligibilityCategory.objects.get(name=category))


def decided_days_ago(cases, days: int) -> None:
    """A test shortcut (an UPDATE, no history row): the decisions taken `days` days ago."""
    ReviewCase.objects.filter(pk__in=[case.pk for case in cases]).update(
        determined_at=timezone.now() - dt.timedelta(days=days))


def submit(clerk, case: ReviewCase) -> Application:
    """The family applies at the Red Cross counter (the real service)."""
    person = case.person
    return application_submit(acting_user=clerk, resident_id=person.resident_id, name=person.name, region=case.region,
                              year=YEAR, phone="13812345678", account_holder=person.name, bank_name="瑞安农商银行",
                              account_number="6228480012345673256", members=[{"name": person.name, "relation": "本人"}],
                              extra_costs=[], documents=[])


def contact(task, officer, *, result: str, reason: str = "", method: str = "phone", on: dt.date | None = None):
    from assistance.outreach.services import outreach_contact_record

    return outreach_contact_record(task=task, acting_user=officer, contacted_on=on or timezone.localdate(),
                                   method=method, result=result, reason=reason)
