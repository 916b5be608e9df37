"""Eligibility lapses ELIGIBILITY_VALID_MONTHS after the decision (valid_until), and a re-review
opens ELIGIBILITY_RECHECK_LEAD_DAYS before: exactly one, at the household's village, the next cost
year's case pointing at the decision it re-checks — never for someone who died or moved away, never
when the next year's case exists. A family whose eligibility lapsed is not costed until a newer
decision says eligible."""
import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from assistance.council.services import resolution_draft_payouts, resolution_sign
from assistance.models import Application, EligibilityCategory, InsuredPerson, ReviewCase
from assistance.review import services as review
from assistance.review.rechecks import eligibility_lapsed, review_rechecks_open
from assistance.review.tasks import review_rechecks_open_task
from fundportal.dates import add_months
from tests.concurrency import run_concurrently
from tests.fixtures.council import fund, meeting_with_quorum
from tests.outreach.helpers import make_eligible

pytestmark = pytest.mark.django_db
State = ReviewCase.State


def _at(day: dt.date):
    return time_machine.travel(dt.datetime.combine(day, dt.time(10), tzinfo=timezone.get_current_timezone()),
                               tick=False)


@pytest.fixture
def decided(shared_run, regions, cab_city, cab_town, cab_village) -> ReviewCase:
    """韩田村's first family, found eligible on 2026-03-10 (a Tuesday)."""
    case = ReviewCase.objects.filter(region=regions["hantian"]).order_by("id").first()
    with _at(dt.date(2026, 3, 10)):
        return make_eligible(case, cab_city=cab_city, cab_town=cab_town, village_officer=cab_village)


def test_add_months_keeps_the_day_or_takes_the_months_last():
    assert add_months(dt.date(2026, 3, 10), 12) == dt.date(2027, 3, 10)
    assert add_months(dt.date(2024, 2, 29), 12) == dt.date(2025, 2, 28)
    assert add_months(dt.date(2026, 8, 31), 6) == dt.date(2027, 2, 28)
    assert add_months(dt.date(2026, 12, 15), 1) == dt.date(2027, 1, 15)  # across the year end


def test_a_decision_eligible_lasts_the_set_number_of_months(decided, settings):
    assert settings.ELIGIBILITY_VALID_MONTHS == 12
    assert decided.valid_until == dt.date(2027, 3, 10)
    assert decided.history.get(state=State.ELIGIBLE).valid_until == dt.date(2027, 3, 10)  # written with it


def test_a_refusal_has_no_validity(shared_run, regions, cab_city, cab_town, cab_village):
    case = ReviewCase.objects.filter(region=regions["hantian"]).order_by("id").last()
    case = review.review_case_assign(case=review.review_case_dispatch(case=case, acting_user=cab_city),
                                     acting_user=cab_town)
    case = review.review_case_verify(case=case, acting_user=cab_village, household_income=Decimal("90000"),
                                     household=[{"name": case.person.name, "relation": "本人"}],
                                     visited_on=timezone.localdate())
    case = review.review_case_determine(case=case, acting_user=cab_city, eligible=False, reason="家庭收入超标")
    assert case.valid_until is None


def test_one_re_review_opens_at_the_lead_time_at_the_village_and_never_twice(decided, settings):
    assert settings.ELIGIBILITY_RECHECK_LEAD_DAYS == 30
    lead_day = dt.date(2027, 3, 10) - dt.timedelta(days=30)
    with _at(lead_day - dt.timedelta(days=1)):
        assert review_rechecks_open() == 0
    with _at(lead_day):
        assert review_rechecks_open_task.delay().get() == 1
        assert review_rechecks_open() == 0  # the next run finds it opened
    with _at(dt.date(2027, 4, 1)):  # after the lapse: still the one
        assert review_rechecks_open() == 0
    recheck = ReviewCase.objects.get(source=ReviewCase.Source.RECHECK)
    assert (recheck.person_id, recheck.year, recheck.previous, recheck.region) == (
        decided.person_id, decided.year + 1, decided, decided.region)
    assert recheck.state == State.AT_VILLAGE and recheck.due_on is not None  # the village verifies again
    assert recheck.history.get().history_change_reason == "低收入资格将于 2027-03-10 到期，开启到期复审"
    assert ReviewCase.objects.get(pk=decided.pk).state == State.ELIGIBLE  # the old decision stays as decided


def test_runs_at_once_open_one_re_review(decided, transactional_db):
    with _at(dt.date(2027, 3, 1)):
        results = run_concurrently(lambda _i: review_rechecks_open(), 4)
    assert sorted(results) == [0, 0, 0, 1]
    assert ReviewCase.objects.filter(source=ReviewCase.Source.RECHECK).count() == 1


def test_no_re_review_when_next_years_case_exists_or_the_person_died_or_moved(decided, shared_run, regions):
    others = ReviewCase.objects.filter(region=regions["hantian"]).exclude(pk=decided.pk)
    ReviewCase.objects.create(person=decided.person, year=decided.year + 1, region=decided.region,
                              source=ReviewCase.Source.WARNING, state_since=timezone.now())
    with _at(dt.date(2027, 3, 1)):
        assert review_rechecks_open() == 0
    ReviewCase.objects.filter(person=decided.person, year=decided.year + 1).delete()
    for field in ("is_deceased", "moved_away"):
        InsuredPerson.objects.filter(pk=decided.person_id).update(**{field: True})
        with _at(dt.date(2027, 3, 1)):
            assert review_rechecks_open() == 0, field
        InsuredPerson.objects.filter(pk=decided.person_id).update(**{field: False})
    assert not others.filter(source=ReviewCase.Source.RECHECK).exists()
    with _at(dt.date(2027, 3, 1)):
        assert review_rechecks_open() == 1


def test_eligibility_lapsed_reads_the_latest_decision(decided, cab_city, cab_village):
    person = decided.person_id
    assert eligibility_lapsed([person], on=dt.date(2027, 3, 10)) == {}
    assert eligibility_lapsed([person], on=dt.date(2027, 3, 11)) == {person: decided}
    with _at(dt.date(2027, 3, 1)):
        review_rechecks_open()
    recheck = ReviewCase.objects.get(source=ReviewCase.Source.RECHECK)
    with _at(dt.date(2027, 3, 20)):  # verified and decided again after the lapse
        recheck = review.review_case_verify(case=recheck, acting_user=cab_village, household_income=Decimal("15000"),
                                            household=[{"name": decided.person.name, "relation": "本人"}],
                                            visited_on=dt.date(2027, 3, 19))
        recheck = review.review_case_determine(case=recheck, acting_user=cab_city, eligible=False,
                                               reason="家庭收入已超过标准")
    assert eligibility_lapsed([person], on=dt.date(2027, 3, 21)) == {}  # refused now: nothing "lapsed" to re-check
    ReviewCase.objects.filter(pk=recheck.pk).update(state=State.ELIGIBLE, decision_reason="",
                                                    category=decided.category, valid_until=dt.date(2028, 3, 20))
    assert eligibility_lapsed([person], on=dt.date(2028, 3, 20)) == {}
    assert eligibility_lapsed([person], on=dt.date(2028, 3, 21))[person].pk == recheck.pk


def _application_for(case: ReviewCase, clerk) -> Application:
    return Application.objects.create(
        number=f"SQ{case.year}000900", person=case.person, year=case.year, region=case.region,
        state=Application.State.READY, review_case=case, phone="13812345678", account_holder=case.person.name,
        bank_name="瑞安农商银行", account_number="6228480012345670900", insured_out_of_pocket=Decimal("60000"),
        entered_by=clerk, submitted_at=timezone.now())


@pytest.fixture
def lapsed_application(decided, clerk, secretary, finance_a) -> Application:
    from assistance.council.schemes import scheme_create
    from assistance.models import Scheme

    scheme = scheme_create(acting_user=secretary, year=decided.year, name="慈善医疗救助方案", annual_cap=Decimal("50000"),
                           rules=[{"category": None, "deductible": Decimal("5000"), "bands": [(0, None, Decimal("0.5"))]}])
    Scheme.objects.filter(pk=scheme.pk).update(approved_at=timezone.now())
    fund("100000", finance_a)
    return _application_for(decided, clerk)


def test_a_lapsed_family_is_left_out_of_the_list_and_refused_by_hand(lapsed_application, secretary):
    from assistance.models import Scheme

    scheme = Scheme.objects.get()
    meeting = meeting_with_quorum(secretary)
    with _at(dt.date(2027, 3, 11)):
        with pytest.raises(ValidationError, match=f"申请 {lapsed_application.number} 的申请人低收入资格已于 2027-03-10 到期"):
            resolution_draft_payouts(meeting=meeting, scheme=scheme, acting_user=secretary)  # the only one: named
        with pytest.raises(ValidationError) as refused:
            resolution_draft_payouts(meeting=meeting, scheme=scheme, acting_user=secretary,
                                     applications=[lapsed_application])
    assert refused.value.messages == [f"申请 {lapsed_application.number} 的申请人低收入资格已于 2027-03-10 到期，"
                                      "须经民政部门复审认定后才能测算"]
    with _at(dt.date(2027, 3, 10)):  # its last valid day: costed
        draft = resolution_draft_payouts(meeting=meeting, scheme=scheme, acting_user=secretary)
    assert list(draft.items.values_list("application_id", flat=True)) == [lapsed_application.pk]


def test_signing_refuses_a_family_whose_eligibility_lapsed_after_drafting(lapsed_application, secretary):
    from assistance.models import Scheme

    with _at(dt.date(2027, 3, 10)):
        draft = resolution_draft_payouts(meeting=meeting_with_quorum(secretary), scheme=Scheme.objects.get(),
                                         acting_user=secretary)
    with _at(dt.date(2027, 3, 11)), pytest.raises(ValidationError, match="到期，须经民政部门复审认定后才能测算"):
        with transaction.atomic():
            resolution_sign(resolution=draft, acting_user=secretary)
    assert Application.objects.get(pk=lapsed_application.pk).state == Application.State.READY


def test_a_re_review_found_eligible_makes_the_family_costable_again(lapsed_application, secretary, cab_city,
                                                                      cab_village):
    from assistance.models import Scheme

    with _at(dt.date(2027, 3, 1)):
        review_rechecks_open()
    recheck = ReviewCase.objects.get(source=ReviewCase.Source.RECHECK)
    with _at(dt.date(2027, 3, 15)):
        recheck = review.review_case_verify(case=recheck, acting_user=cab_village, household_income=Decimal("11000"),
                                            household=[{"name": recheck.person.name, "relation": "本人"}],
                                            visited_on=dt.date(2027, 3, 12))
        review.review_case_determine(case=recheck, acting_user=cab_city, eligible=True,
                                     category=EligibilityCategory.objects.get(name="低保对象"))
        draft = resolution_draft_payouts(meeting=meeting_with_quorum(secretary), scheme=Scheme.objects.get(),
                                         acting_user=secretary, applications=[lapsed_application])
    assert draft.items.get().application_id == lapsed_application.pk
