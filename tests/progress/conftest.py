"""The progress tests' family and the people who move its case (tests/progress/helpers.py)."""
import pytest

from .helpers import People, submit


@pytest.fixture
def people(clerk, cab_city, cab_town, cab_village, secretary, finance_a, finance_b):
    return People(clerk=clerk, cab_city=cab_city, cab_town=cab_town, cab_village=cab_village,
                  secretary=secretary, finance_a=finance_a, finance_b=finance_b)


@pytest.fixture
def village(regions):
    return regions["hantian"]


@pytest.fixture
def application(people, village):
    """Submitted at the window, under review by civil affairs."""
    return submit(people, village)
