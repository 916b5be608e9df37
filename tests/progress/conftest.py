"""The progress tests' family and the people who move its case (tests/progress/helpers.py)."""
import pytest

from .helpers import submit


@pytest.fixture
def village(regions):
    return regions["hantian"]


@pytest.fixture
def application(people, village):
    """Submitted at the window, under review by civil affairs."""
    return submit(people, village)
