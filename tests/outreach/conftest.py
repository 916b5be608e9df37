"""What the outreach tests start from: families of the shared warning list (tests/fixtures/
screening.py) found eligible through the review's own services — two in 韩田村 (cab_village's
village), one in 沙渎村 (other_village's), both villages of 塘下镇 (cab_town's) — and, for
`tasks`, their decisions 30 days old and the daily run done."""
import pytest

from assistance.models import OutreachTask, ReviewCase
from assistance.outreach.services import outreach_open_due

from .helpers import decided_days_ago, make_eligible


@pytest.fixture
def eligible(shared_run, regions, cab_city, cab_town, cab_village, other_village) -> list[ReviewCase]:
    """The three cases of 韩田村 and 沙渎村, found eligible today (韩田村's first)."""
    officers = {regions["hantian"].pk: cab_village, regions["shadu"].pk: other_village}
    cases = ReviewCase.objects.filter(region__in=officers).select_related("person").order_by("id")
    return [make_eligible(case, cab_city=cab_city, cab_town=cab_town, village_officer=officers[case.region_id])
            for case in cases]


@pytest.fixture
def tasks(eligible) -> list[OutreachTask]:
    """An open task for each family: decided 30 days ago, the daily run done."""
    decided_days_ago(eligible, 30)
    assert outreach_open_due() == 3
    return list(OutreachTask.objects.order_by("review_case_id"))


@pytest.fixture
def task(tasks) -> OutreachTask:
    """The first family of 韩田村: cab_village's to contact."""
    return tasks[0]


@pytest.fixture
def shadu_task(tasks) -> OutreachTask:
    """沙渎村's family: other_village's, never cab_village's."""
    return tasks[2]
