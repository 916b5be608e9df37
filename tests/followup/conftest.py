"""What the follow-up page tests start from: three families paid for 2022 (two in 韩田村,
cab_village's village, one in 沙渎村, other_village's; both villages of 塘下镇, cab_town's) whose
2023 costs the MSB's 2023 screening, once shared, flags through the real service — over the
follow-up line, a sharp rise, over the line."""
import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from assistance.followup.services import screening_run_share_and_follow
from assistance.models import Application, FollowUp, ScreeningRun
from tests.fixtures.factories import ApplicationFactory, InsuredPersonFactory, SettlementRecordFactory

YEAR = 2023
# (name, village key, 2023 out-of-pocket, 2022 out-of-pocket)
FAMILIES = [("赵一明", "hantian", "26000.00", "61000.00"), ("钱二强", "hantian", "15000.00", "8000.00"),
            ("孙三妹", "shadu", "30000.00", "55000.00")]


def _family(name: str, region, now: str, before: str, clerk):
    person = InsuredPersonFactory(name=name, region=region)
    ApplicationFactory(person=person, year=YEAR - 1, state=Application.State.PAID, region=region, entered_by=clerk,
                       phone="13912345678")
    for year, amount in ((YEAR, Decimal(now)), (YEAR - 1, Decimal(before))):
        SettlementRecordFactory(person=person, year=year, settled_on=dt.date(year, 3, 5), out_of_pocket=amount,
                                total_cost=amount * 2, fund_basic=amount)
    return person


@pytest.fixture
def flagged_run(regions, msb, clerk, settings) -> ScreeningRun:
    """The 2023 screening, shared by the MSB: it flags the three families."""
    settings.FOLLOWUP_THRESHOLD, settings.FOLLOWUP_RISE_RATIO, settings.FOLLOWUP_RISE_FLOOR = "20000", "1.5", "10000"
    for name, village, now, before in FAMILIES:
        _family(name, regions[village], now, before, clerk)
    run = ScreeningRun.objects.create(year=YEAR, threshold=Decimal("50000"), created_by=msb,
                                      state=ScreeningRun.State.DONE, finished_at=timezone.now())
    return screening_run_share_and_follow(run=run, acting_user=msb)


@pytest.fixture
def follow_ups(flagged_run) -> list[FollowUp]:
    """The three open follow-ups, in the order of FAMILIES."""
    follow_ups = list(FollowUp.objects.select_related("person").order_by("person_id"))
    assert [f.person.name for f in follow_ups] == [name for name, *_ in FAMILIES]
    return follow_ups


@pytest.fixture
def follow_up(follow_ups) -> FollowUp:
    """韩田村's first family: cab_village's to follow."""
    return follow_ups[0]


@pytest.fixture
def shadu_follow_up(follow_ups) -> FollowUp:
    """沙渎村's family: other_village's, never cab_village's."""
    return follow_ups[2]
