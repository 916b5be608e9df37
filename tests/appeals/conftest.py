"""复核 fixtures: a family refused by civil affairs (the review's own services, end to end), and
a family whose amount the council approved (tests/fixtures/council.py's signed resolution).

Who decides: cab_city determined the refusal, so cab_city_colleague decides its review; secretary
signed the resolution, so secretary_b decides a review of its amounts.
"""
import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from assistance.applications.services import application_submit
from assistance.models import Application, EligibilityCategory, Publicity
from assistance.review import services as review
from fundportal.roles import Role
from tests.fixtures.council import YEAR
from tests.fixtures.factories import make_resident_id
from tests.fixtures.personas import make_user

GROUNDS = "家中两人长期住院，收入已不足以维持生活，请求重新核查"
HOUSEHOLD = [{"name": "周小梅", "relation": "本人", "annual_income": Decimal("6000")}]


def verify(case, officer):
    return review.review_case_verify(case=case, acting_user=officer, household=HOUSEHOLD,
                                     household_income=Decimal("6000"), visited_on=timezone.localdate(),
                                     notes="长期血液透析")


def publicity_ended(resolution) -> None:
    """The 公示 period of `resolution` over (test setup: the period's own tests are publicity's)."""
    today = timezone.localdate()
    Publicity.objects.filter(resolution=resolution).update(starts_on=today - dt.timedelta(days=10),
                                                           ends_on=today - dt.timedelta(days=3))


@pytest.fixture
def secretary_b(db):
    return make_user("secretary_b", Role.COUNCIL_SECRETARY)


@pytest.fixture
def refused_app(clerk, regions, cab_city, cab_town, cab_village) -> Application:
    """An application whose applicant civil affairs found not eligible (认定不符合), by cab_city."""
    application = application_submit(
        acting_user=clerk, resident_id=make_resident_id(4321, birth=dt.date(1961, 4, 9)), name="周小梅",
        region=regions["hantian"], year=YEAR, phone="13812345678", account_holder="周小梅", bank_name="瑞安农商银行",
        account_number="6228480012345673256", members=[{"name": "周小梅", "relation": "本人"}], extra_costs=[],
        documents=[])
    case = review.review_case_dispatch(case=application.review_case, acting_user=cab_city)
    case = review.review_case_assign(case=case, acting_user=cab_town)
    case = verify(case, cab_village)
    review.review_case_determine(case=case, acting_user=cab_city, eligible=False, reason="家庭人均收入高于标准")
    application.refresh_from_db()
    assert application.state == Application.State.NOT_ELIGIBLE
    return application


@pytest.fixture
def approved_apps(signed):
    """(resolution, first, second): two applications approved (35,000 and 21,000), signed by secretary."""
    resolution, first, second = signed
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.state == second.state == Application.State.APPROVED
    return resolution, first, second


def low_income():
    return EligibilityCategory.objects.get(name="低保对象")
