"""Review cases on the civil-affairs officers' queues: each step's cases on the queue of the officer
who takes that step, in their own area only; counted as the database counts them; the link shows
exactly those cases (and the overdue link exactly the overdue ones)."""
import datetime as dt

import pytest
from django.utils import timezone

from assistance.models import ReviewCase
from fundportal.roles import Role
from tests.fixtures.factories import ReviewCaseFactory
from tests.fixtures.personas import make_user

from .helpers import days_ago, items_of, shown

pytestmark = pytest.mark.django_db
State = ReviewCase.State


def case(region, state, *, due_on=None, waiting_days=1, **fields):
    since = timezone.now() - dt.timedelta(days=waiting_days)
    return ReviewCaseFactory(person__region=region, state=state, due_on=due_on or days_ago(-5),
                             state_since=since, **fields)


@pytest.fixture
def cases(regions, cab_village, cab_city_colleague):
    hantian, shadu, xincheng_village = regions["hantian"], regions["shadu"], regions["xincheng_village"]
    return {
        "hantian_late": case(hantian, State.AT_VILLAGE, due_on=days_ago(2), waiting_days=12),
        "hantian_due": case(hantian, State.AT_VILLAGE, due_on=days_ago(-3), waiting_days=4),
        "hantian_returned": case(hantian, State.RETURNED, due_on=days_ago(-8)),
        "hantian_verified": case(hantian, State.VERIFIED, verified_by=cab_village, verified_at=timezone.now()),
        "colleague_verified": case(hantian, State.VERIFIED, verified_by=cab_city_colleague,
                                   verified_at=timezone.now()),
        "hantian_first": case(hantian, State.FIRST_SCREENING, due_on=days_ago(1), waiting_days=9),
        "hantian_at_town": case(hantian, State.AT_TOWN),
        "hantian_decided": case(hantian, State.NOT_ELIGIBLE, decision_reason="家庭收入超过认定标准",
                                due_on=days_ago(30)),
        "shadu": case(shadu, State.AT_VILLAGE, due_on=days_ago(1)),
        "xincheng_village": case(xincheng_village, State.AT_VILLAGE),
        "xincheng_at_town": case(xincheng_village, State.AT_TOWN, due_on=days_ago(4)),
        "xincheng_first": case(xincheng_village, State.FIRST_SCREENING),
    }


def pks(cases, *names):
    return {cases[name].pk for name in names}


def test_the_village_officer_has_their_villages_cases_to_verify_and_nothing_else(cases, cab_village):
    items = items_of(cab_village)
    assert set(items) == {"review.verify"}
    verify = items["review.verify"]
    expected = pks(cases, "hantian_late", "hantian_due", "hantian_returned")
    assert verify.count == len(expected) == ReviewCase.objects.filter(
        region__path__startswith=cab_village.region.path, state__in=[State.AT_VILLAGE, State.RETURNED]).count()
    assert (verify.overdue, verify.due, verify.oldest) == (1, days_ago(2), days_ago(12))
    assert shown(cab_village, verify.url) == expected
    assert shown(cab_village, verify.overdue_url) == pks(cases, "hantian_late")


def test_another_villages_officer_sees_only_their_own_village(cases, other_village):
    verify = items_of(other_village)["review.verify"]
    assert (verify.count, verify.overdue) == (1, 1)
    assert shown(other_village, verify.url) == pks(cases, "shadu")


def test_each_town_officer_hands_over_their_own_towns_cases(cases, cab_town, other_town):
    assert set(items_of(cab_town)) == {"review.assign"}
    assign = items_of(cab_town)["review.assign"]
    assert (assign.count, assign.overdue) == (1, 0)
    assert shown(cab_town, assign.url) == pks(cases, "hantian_at_town")
    other = items_of(other_town)["review.assign"]
    assert (other.count, other.overdue) == (1, 1)
    assert shown(other_town, other.url) == pks(cases, "xincheng_at_town")


def test_a_town_with_no_work_has_an_empty_queue(cases, mayu_officer):
    assert items_of(mayu_officer) == {}


def test_an_officer_with_no_area_sees_nothing_rather_than_the_city(cases):
    assert items_of(make_user("unplaced", Role.CAB_CITY)) == {}


def test_the_city_bureau_dispatches_and_decides_across_the_city(cases, cab_city):
    items = items_of(cab_city)
    assert set(items) == {"review.dispatch", "review.determine"}
    assert items["review.dispatch"].count == ReviewCase.objects.filter(state=State.FIRST_SCREENING).count() == 2
    assert items["review.dispatch"].overdue == 1
    assert shown(cab_city, items["review.dispatch"].url) == pks(cases, "hantian_first", "xincheng_first")
    assert shown(cab_city, items["review.determine"].url) == pks(cases, "hantian_verified", "colleague_verified")


def test_who_verified_a_case_does_not_find_it_to_decide(cases, cab_city_colleague):
    determine = items_of(cab_city_colleague)["review.determine"]
    assert determine.count == 1
    assert shown(cab_city_colleague, determine.url) == pks(cases, "hantian_verified")


@pytest.mark.parametrize("persona", ["msb", "finance", "clerk", "secretary", "administrator", "admin_user"])
def test_roles_that_do_not_review_have_no_review_work(request, cases, persona):
    user = request.getfixturevalue(persona)
    assert not [key for key in items_of(user) if key.startswith("review.")]


def test_a_filter_value_the_officer_does_not_work_on_is_ignored_not_obeyed(client, cases, cab_village):
    client.force_login(cab_village)
    response = client.get("/admin/assistance/reviewcase/?todo=review.dispatch")
    assert response.status_code == 200
    assert any("无效" in str(message) for message in response.context["messages"])
    # Unfiltered, as with any value a filter does not offer: still only the village's own cases.
    assert set(response.context["cl"].queryset.values_list("pk", flat=True)) == {
        c.pk for c in ReviewCase.objects.filter(region=cab_village.region)}


def test_the_auditor_oversees_every_areas_overdue_cases(cases, auditor):
    items = items_of(auditor)
    assert set(items) == {"review.supervise"}
    supervise = items["review.supervise"]
    overdue = pks(cases, "hantian_late", "hantian_first", "shadu", "xincheng_at_town")
    assert (supervise.count, supervise.overdue, supervise.supervision) == (len(overdue), len(overdue), True)
    assert shown(auditor, supervise.url) == overdue


def test_a_case_moved_on_leaves_the_queue(cases, cab_village):
    ReviewCase.objects.filter(pk=cases["hantian_late"].pk).update(state=State.VERIFIED)
    verify = items_of(cab_village)["review.verify"]
    assert (verify.count, verify.overdue) == (2, 0)
