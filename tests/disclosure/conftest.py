"""The disclosure tests write public files: each into its own folder. `published` is May and June
2023 of the fund's history (tests/fixtures/fund_history.py), published with their files."""
import datetime as dt

import pytest

from tests.disclosure.helpers import publish


@pytest.fixture(autouse=True)
def _public_files_in_tmp(public_root):
    return public_root


@pytest.fixture
def published(history, finance_a, django_capture_on_commit_callbacks):
    statements = []
    for month in (5, 6):
        with django_capture_on_commit_callbacks(execute=True):  # files are written once publication commits
            statements.append(publish("month", dt.date(2023, month, 1), finance_a))
    return statements
