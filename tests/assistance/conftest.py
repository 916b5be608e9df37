"""Fixtures for the settlement import and screening tests.

The region tree is the demo city's (瑞安市 330381): a few towns and villages, enough for
household-registration codes and names to resolve.
"""
import pytest

from fundportal.models import Region
from tests.assistance.helpers import CITY, REGIONS


def pytest_configure(config):
    # Registered here (the suite runs with --strict-markers): `-m "not slow"` skips the few
    # tests that start processes or load tens of thousands of rows.
    config.addinivalue_line("markers", "slow: starts a process or loads a large file (about 10 s)")


@pytest.fixture
def city(db) -> dict[str, Region]:
    """The city and some of its towns and villages, by code."""
    regions = {CITY: Region.objects.create(code=CITY, name="瑞安市", level=Region.Level.CITY)}
    for code, name, parent in REGIONS:
        level = Region.Level.VILLAGE if not code.endswith("000") else Region.Level.TOWN
        regions[code] = Region.objects.create(code=code, name=name, level=level, parent=regions[parent])
    return regions


@pytest.fixture
def importer(msb):
    """The MSB user who imports files."""
    return msb
