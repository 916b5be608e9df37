"""The village's officer records what a follow-up found (services.followup_record): no risk (with
what was checked), a review of the household's eligibility (a review case for the year at the
village, pointing at the family's last decision — or the year's existing case), or moved away.
Only the village's officer, only while open, never without notes or with another outcome."""
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from assistance.followup.services import followup_record
from assistance.models import FollowUp, ReviewCase
from tests.concurrency import run_concurrently
from tests.fixtures.factories import EligibilityCategoryFactory, FollowUpFactory, InsuredPersonFactory, ReviewCaseFactory

pytestmark = pytest.mark.django_db
NOTES = "入户核实：住院费用已由大病保险报销，家庭收入稳定"


@pytest.fixture
def follow_up(regions) -> FollowUp:
    """Open, in 韩田村 (cab_village's), of a family found eligible for 2022."""
    person = InsuredPersonFactory(region=regions["hantian"])
    ReviewCaseFactory(person=person, year=2022, state=ReviewCase.State.ELIGIBLE, category=EligibilityCategoryFactory(),
                      determined_at=timezone.now())
    return FollowUpFactory(person=person)


def test_no_risk_closes_it_with_the_notes_and_the_officer(follow_up, cab_village):
    closed = followup_record(follow_up=follow_up, acting_user=cab_village, outcome="no_risk", notes=f"  {NOTES} ")
    assert (closed.state, closed.outcome, closed.notes, closed.closed_by) == ("closed", "no_risk", NOTES, cab_village)
    assert closed.review_case is None and closed.closed_at is not None
    assert closed.history.first().history_change_reason == "跟进结果：经核实无返贫风险"


def test_review_opens_a_case_at_the_village_pointing_at_the_last_decision(follow_up, cab_village):
    closed = followup_record(follow_up=follow_up, acting_user=cab_village, outcome="review", notes=NOTES)
    case = closed.review_case
    last = ReviewCase.objects.get(person=follow_up.person, year=2022)
    assert (case.person, case.year, case.source, case.previous, case.state, case.region) == (
        follow_up.person, 2023, ReviewCase.Source.FOLLOW_UP, last, ReviewCase.State.AT_VILLAGE, follow_up.region)
    assert case.due_on is not None


def test_review_joins_the_years_existing_case(follow_up, cab_village):
    existing = ReviewCaseFactory(person=follow_up.person, year=2023, source=ReviewCase.Source.WARNING)
    closed = followup_record(follow_up=follow_up, acting_user=cab_village, outcome="review", notes=NOTES)
    assert closed.review_case == existing and ReviewCase.objects.filter(person=follow_up.person, year=2023).count() == 1


@pytest.mark.parametrize("persona", ["other_village", "cab_town", "cab_city", "msb", "clerk", "auditor"])
def test_only_the_villages_officer_records(follow_up, request, persona):
    with pytest.raises(PermissionDenied):
        followup_record(follow_up=follow_up, acting_user=request.getfixturevalue(persona), outcome="no_risk",
                        notes=NOTES)
    assert FollowUp.objects.get(pk=follow_up.pk).state == "open"


@pytest.mark.parametrize("outcome, notes, message", [
    ("no_risk", "  ", "请填写跟进情况"),
    ("died", NOTES, "请选择跟进结果"),  # a death comes from the registry, not from a form
    ("nonsense", NOTES, "请选择跟进结果"),
    ("no_risk", "x" * 100_000, "内容过长：最多 5000 个字符"),
])
def test_bad_input_is_refused_in_chinese_and_changes_nothing(follow_up, cab_village, outcome, notes, message):
    with pytest.raises(ValidationError, match=message):
        followup_record(follow_up=follow_up, acting_user=cab_village, outcome=outcome, notes=notes)
    assert FollowUp.objects.get(pk=follow_up.pk).state == "open"


def test_a_closed_follow_up_takes_no_second_outcome(follow_up, cab_village):
    followup_record(follow_up=follow_up, acting_user=cab_village, outcome="no_risk", notes=NOTES)
    with pytest.raises(ValidationError, match="该监测已办结（经核实无返贫风险），不能再登记"):
        followup_record(follow_up=follow_up, acting_user=cab_village, outcome="review", notes=NOTES)
    assert not ReviewCase.objects.filter(year=2023).exists()


def test_two_clicks_at_once_record_one_outcome(follow_up, cab_village, transactional_db):
    results = run_concurrently(lambda i: followup_record(follow_up=follow_up, acting_user=cab_village,
                                                         outcome="review", notes=NOTES), 2)
    assert sum(isinstance(r, FollowUp) for r in results) == 1
    assert ReviewCase.objects.filter(year=2023).count() == 1


def test_review_is_refused_when_the_years_case_is_already_decided(follow_up, cab_village):
    ReviewCaseFactory(person=follow_up.person, year=2023, source=ReviewCase.Source.WARNING,
                      state=ReviewCase.State.ELIGIBLE, category=EligibilityCategoryFactory(), determined_at=timezone.now())
    with pytest.raises(ValidationError, match="年度的资格审核已办结（认定符合.*不能再转入审核.*复核"):
        followup_record(follow_up=follow_up, acting_user=cab_village, outcome="review", notes=NOTES)
    assert FollowUp.objects.get(pk=follow_up.pk).state == "open"


def test_moved_away_is_recorded_in_the_registry_and_stops_the_familys_other_work(follow_up, cab_village,
                                                                               django_capture_on_commit_callbacks):
    from assistance.models import InsuredPerson

    other = ReviewCaseFactory(person=follow_up.person, year=2024, state=ReviewCase.State.AT_VILLAGE)
    with django_capture_on_commit_callbacks(execute=True):
        followup_record(follow_up=follow_up, acting_user=cab_village, outcome="moved", notes="已随子女迁往上海，户籍已迁出")
    person = InsuredPerson.objects.get(pk=follow_up.person_id)
    assert person.moved_away and person.history.first().history_change_reason == "防止返贫监测：村（社区）核实已迁出本市"
    assert (ReviewCase.objects.get(pk=other.pk).state, ReviewCase.objects.get(pk=other.pk).closed_reason) == (
        "closed", "对象已迁出本市")
    assert FollowUp.objects.get(pk=follow_up.pk).outcome == "moved"
