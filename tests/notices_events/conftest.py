"""Families and donors who consent to SMS notices, and a case taken through the stages' own
services (tests/progress/helpers.py's 王小明), so each event is told where the work is done."""
import pytest

from tests.progress.helpers import People


@pytest.fixture
def people(clerk, cab_city, cab_town, cab_village, secretary, finance_a, finance_b) -> People:
    return People(clerk, cab_city, cab_town, cab_village, secretary, finance_a, finance_b)
