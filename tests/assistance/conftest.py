"""Fixtures for the settlement import and screening tests. Household codes and names resolve
against the shared region tree (tests/fixtures/regions.py: request `regions`)."""
import pytest


@pytest.fixture
def importer(msb):
    """The MSB user who imports files."""
    return msb
