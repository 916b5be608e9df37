"""Clerks entering a person not yet in the registry at the same moment: one row is written, every
clerk gets it (or a clear refusal), and no database error — whose message names the ID number —
reaches an error page or the server's log. Real threads on PostgreSQL."""
import logging
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from assistance.models import Application, InsuredPerson
from assistance.intake.services import insured_person_get_or_create
from fundportal.roles import Role
from tests.concurrency import run_concurrently
from tests.fixtures.factories import make_resident_id
from tests.fixtures.personas import make_user
from tests.review.test_applications import submit

NEWCOMER = make_resident_id(901)  # in no settlement file


@pytest.mark.django_db(transaction=True)
def test_two_clerks_registering_the_same_newcomer_at_once_share_one_registry_row(regions, caplog):
    clerks = [make_user(f"clerk_new{i}", Role.REDCROSS_CLERK) for i in range(4)]
    with caplog.at_level(logging.DEBUG):
        results = run_concurrently(lambda i: submit(clerks[i], resident_id=NEWCOMER, region=regions["hantian"],
                                                    name="李新来"), 4)
    assert InsuredPerson.objects.filter(resident_id=NEWCOMER).count() == 1
    accepted = [r for r in results if isinstance(r, Application)]
    assert len(accepted) == 1 and Application.objects.count() == 1
    refusals = [r for r in results if not isinstance(r, Application)]
    assert all(isinstance(r, ValidationError) for r in refusals), results
    assert all("已有该申请人的申请" in r.messages[0] for r in refusals)  # the first's application, named
    assert NEWCOMER not in caplog.text


@pytest.mark.django_db(transaction=True)
def test_the_registry_get_or_create_returns_the_first_writers_row_to_everyone(regions, cab_city):
    results = run_concurrently(lambda i: insured_person_get_or_create(
        resident_id=NEWCOMER, name="李新来", region=regions["hantian"], reason="测试", acting_user=cab_city), 6)
    assert all(isinstance(r, tuple) for r in results), results
    assert len({person.pk for person, _created in results}) == 1
    assert [created for _person, created in results].count(True) == 1
    person = InsuredPerson.objects.get(resident_id=NEWCOMER)
    assert person.history.count() == 1 and person.history.get().history_change_reason == "测试"


@pytest.mark.django_db(transaction=True)
def test_a_clerk_who_typed_another_name_is_told_the_registered_one(regions, cab_city):
    """The second clerk waits for the first's row and compares the name with it."""
    first_inserted, release = threading.Event(), threading.Event()

    def first():
        with transaction.atomic():
            insured_person_get_or_create(resident_id=NEWCOMER, name="李新来", region=regions["hantian"],
                                         reason="测试", acting_user=cab_city)
            first_inserted.set()
            release.wait(10)

    def second():
        first_inserted.wait(10)
        return submit(make_user("clerk_late", Role.REDCROSS_CLERK), resident_id=NEWCOMER,
                      region=regions["hantian"], name="李欣来")

    def both(i):
        if i == 0:
            return first()
        timer = threading.Timer(0.5, release.set)  # the second is waiting on the unique index by then
        timer.start()
        return second()

    results = run_concurrently(both, 2)
    assert isinstance(results[1], ValidationError), results
    assert "姓名与参保登记不一致（登记为 李新来）" in str(results[1])
    assert InsuredPerson.objects.filter(resident_id=NEWCOMER).count() == 1
