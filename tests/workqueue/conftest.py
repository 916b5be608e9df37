"""The work queue's own fixtures: officers of areas with no work, and a second member of each role
that must not see what is the first one's (or sees what the first one may not do)."""
import pytest

from fundportal.roles import Role
from tests.fixtures.personas import make_user


@pytest.fixture
def mayu_officer(regions):
    """A town officer of 马屿镇, where nothing waits."""
    return make_user("cab_mayu", Role.CAB_TOWN, region=regions["mayu"])


@pytest.fixture
def second_secretary(db):
    return make_user("second_secretary", Role.COUNCIL_SECRETARY)


@pytest.fixture
def clerk_b(db):
    return make_user("clerk_b", Role.REDCROSS_CLERK)
