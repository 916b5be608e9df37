"""Named personas, one per role (healthchecks style): each test says who acts.

finance (慈善总会财务) records money; auditor reads everything and changes nothing;
clerk (红十字会录入员) and msb (医保局) must not see donations; the public is anonymous.
"""
import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.utils import timezone

from fundportal.roles import Role
from tests.factories import UserFactory

PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def _clear_cache():
    # Rate-limit counters live in Redis; each test starts with none.
    cache.clear()
    yield


def _user_with_role(username: str, role: Role | None, **extra):
    user = UserFactory(username=username, **extra)
    if role is not None:
        user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def finance(db):
    return _user_with_role("finance", Role.CHARITY_FINANCE)


@pytest.fixture
def auditor(db):
    return _user_with_role("auditor", Role.AUDITOR)


@pytest.fixture
def clerk(db):
    return _user_with_role("clerk", Role.REDCROSS_CLERK)


@pytest.fixture
def msb(db):
    return _user_with_role("msb", Role.MSB_STAFF)


@pytest.fixture
def admin_user(db):
    return _user_with_role("root", None, is_superuser=True)


@pytest.fixture
def today():
    return timezone.localdate()
