"""Objections (公示异议) and reviews (复核) on the queues: the village investigates, the town and
the city decide, within the working-day deadline — never the one who made the decision objected to
or under review — and each officer only in their own area."""
import pytest
from django.utils import timezone

from assistance.models import Appeal, EligibilityCategory, Objection, Resolution, ReviewCase
from tests.fixtures.factories import AppealFactory, ObjectionFactory, ResolutionItemFactory, ReviewCaseFactory

from .helpers import days_ago, items_of, shown

pytestmark = pytest.mark.django_db


def objection(region, *, state=Objection.State.RECEIVED, received_days_ago=2, due_in=20, decided_by=None):
    """An objection against an entry of `region` whose eligibility `decided_by` determined."""
    review_case = ReviewCaseFactory(person__region=region, state=ReviewCase.State.ELIGIBLE,
                                    category=EligibilityCategory.objects.get(name="低保对象"), determined_by=decided_by)
    return ObjectionFactory(entry__region=region, entry__item__application__review_case=review_case, state=state,
                            received_on=days_ago(received_days_ago), due_on=days_ago(-due_in))


@pytest.fixture
def objections(regions, cab_city):
    return {
        "hantian": objection(regions["hantian"]),
        "hantian_late": objection(regions["hantian"], received_days_ago=30, due_in=-2),
        "hantian_investigated": objection(regions["hantian"], state=Objection.State.INVESTIGATING),
        "hantian_city_decided_case": objection(regions["hantian"], decided_by=cab_city),
        "shadu": objection(regions["shadu"]),
        "xincheng": objection(regions["xincheng_village"], received_days_ago=40, due_in=-10),
    }


def pks(rows, *names):
    return {rows[name].pk for name in names}


def test_the_village_officer_investigates_what_was_received_in_their_village(objections, cab_village):
    investigate = items_of(cab_village)["publicity.investigate"]
    expected = pks(objections, "hantian", "hantian_late", "hantian_city_decided_case")
    assert investigate.count == len(expected) == Objection.objects.filter(
        region=cab_village.region, state=Objection.State.RECEIVED).count()
    assert (investigate.overdue, investigate.due, investigate.oldest) == (1, days_ago(2), days_ago(30))
    assert shown(cab_village, investigate.url) == expected
    assert shown(cab_village, investigate.overdue_url) == pks(objections, "hantian_late")
    assert "publicity.decide" not in items_of(cab_village)


def test_another_villages_officer_investigates_only_their_own(objections, other_village):
    assert shown(other_village, items_of(other_village)["publicity.investigate"].url) == pks(objections, "shadu")


def test_the_town_decides_its_villages_open_objections(objections, cab_town, other_town):
    items = items_of(cab_town)
    assert "publicity.investigate" not in items  # on the queue once, to decide, with the same deadline
    decide = items["publicity.decide"]
    expected = pks(objections, "hantian", "hantian_late", "hantian_investigated", "hantian_city_decided_case", "shadu")
    assert (decide.count, decide.overdue) == (len(expected), 1)
    assert shown(cab_town, decide.url) == expected
    assert shown(other_town, items_of(other_town)["publicity.decide"].url) == pks(objections, "xincheng")


def test_the_officer_who_decided_the_case_does_not_decide_the_objection_to_it(objections, cab_city,
                                                                             cab_city_colleague):
    everything = set(Objection.objects.values_list("pk", flat=True))
    assert shown(cab_city, items_of(cab_city)["publicity.decide"].url) == everything - pks(
        objections, "hantian_city_decided_case")
    assert shown(cab_city_colleague, items_of(cab_city_colleague)["publicity.decide"].url) == everything


def test_a_decided_objection_leaves_every_queue(objections, cab_village, cab_town):
    Objection.objects.filter(pk=objections["hantian"].pk).update(
        state=Objection.State.DISMISSED, decision_reason="经核实不属实", decided_by=cab_town, decided_at=timezone.now())
    assert items_of(cab_village)["publicity.investigate"].count == 2
    assert items_of(cab_town)["publicity.decide"].count == 4


@pytest.mark.parametrize("persona", ["finance", "clerk", "secretary", "msb"])
def test_who_only_reads_objections_has_none_to_handle(request, objections, persona):
    assert not [key for key in items_of(request.getfixturevalue(persona)) if key.startswith("publicity.")]


# ------------------------------------------------------------------------------------------------ 复核

def signed_item(secretary):
    """An approved item of a resolution `secretary` signed."""
    item = ResolutionItemFactory()
    Resolution.objects.filter(pk=item.resolution_id).update(signed_at=timezone.now(), signed_by=secretary, year=2023,
                                                             sequence=item.resolution_id, approved=item.amount)
    return item


@pytest.fixture
def appeals(regions, cab_city, secretary):
    def eligibility(region, *, decided_by, due_in=10):
        return AppealFactory(application__person__region=region, review_case__person__region=region,
                             review_case__determined_by=decided_by, filed_on=days_ago(3), due_on=days_ago(-due_in))

    def amount(*, due_in=10):
        item = signed_item(secretary)
        return AppealFactory(kind=Appeal.Kind.AMOUNT, application=item.application, review_case=None, item=item,
                             filed_on=days_ago(5), due_on=days_ago(-due_in))

    return {
        "hantian": eligibility(regions["hantian"], decided_by=cab_city),
        "xincheng_late": eligibility(regions["xincheng_village"], decided_by=cab_city, due_in=-1),
        "decided_by_colleague": eligibility(regions["shadu"], decided_by=None),
        "amount": amount(),
    }


def test_eligibility_reviews_go_to_the_city_bureau_never_to_who_decided(appeals, cab_city, cab_city_colleague):
    mine = items_of(cab_city)["appeals.eligibility"]
    assert shown(cab_city, mine.url) == pks(appeals, "decided_by_colleague")
    colleague = items_of(cab_city_colleague)["appeals.eligibility"]
    assert (colleague.count, colleague.overdue) == (3, 1)
    assert shown(cab_city_colleague, colleague.url) == pks(appeals, "hantian", "xincheng_late", "decided_by_colleague")
    assert shown(cab_city_colleague, colleague.overdue_url) == pks(appeals, "xincheng_late")


def test_amount_reviews_go_to_a_secretary_who_did_not_sign(appeals, secretary, second_secretary):
    assert "appeals.amount" not in items_of(secretary)
    amount = items_of(second_secretary)["appeals.amount"]
    assert amount.count == 1 and shown(second_secretary, amount.url) == pks(appeals, "amount")


@pytest.mark.parametrize("persona", ["cab_town", "cab_village", "finance", "clerk"])
def test_who_may_not_decide_a_review_has_none(request, appeals, persona):
    assert not [key for key in items_of(request.getfixturevalue(persona)) if key.startswith("appeals.")]


def test_the_auditor_oversees_overdue_reviews_and_objections(appeals, objections, auditor):
    items = items_of(auditor)
    assert shown(auditor, items["appeals.supervise"].url) == pks(appeals, "xincheng_late")
    assert shown(auditor, items["publicity.supervise"].url) == pks(objections, "hantian_late", "xincheng")
