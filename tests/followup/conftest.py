"""What the follow-up page tests start from: three families paid for 2022 (two in 韩田村,
cab_village's village, one in 沙渎村, other_village's; both villages of 塘下镇, cab_town's) whose
2023 costs the MSB's 2023 screening, once shared, flags through the real service — over the
follow-up line, a sharp rise, over the line."""
import pytest

from assistance.models import FollowUp, ScreeningRun

from .helpers import FAMILIES, flag_families


@pytest.fixture
def flagged_run(regions, msb, clerk, settings) -> ScreeningRun:
    """The 2023 screening, shared by the MSB: it flags the three families."""
    return flag_families(regions, msb=msb, clerk=clerk, settings=settings)


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
