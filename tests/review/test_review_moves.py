"""Every move of a review case: the legal ones by the right officer, every illegal one refused
with a clear message, history kept, areas and duties respected."""
import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from assistance.review import services as review
from assistance.models import EligibilityCategory, ReviewCase, StateDeadline
from assistance.review.selectors import review_cases_for_user
from fundportal.dates import add_working_days
from tests.concurrency import run_concurrently
from tests.fixtures.screening import YEAR, make_run

pytestmark = pytest.mark.django_db
State = ReviewCase.State
HOUSEHOLD = [{"name": "张三", "relation": "本人", "annual_income": Decimal("6000")},
             {"name": "李梅", "relation": "配偶", "annual_income": Decimal("12000")}]


def case_of(region_name: str) -> ReviewCase:
    return ReviewCase.objects.filter(region__name=region_name).order_by("id").first()


def verify(case, officer, **changes):
    fields = {"household": HOUSEHOLD, "household_income": Decimal("18000"), "visited_on": timezone.localdate(),
              "housing": "自建砖混房 60 平方米", "notes": "长期血液透析，家中无其他劳动力", **changes}
    return review.review_case_verify(case=case, acting_user=officer, **fields)


def low_income_category():
    return EligibilityCategory.objects.get(name="低保边缘家庭")


def test_sharing_a_run_opens_one_case_per_target_in_first_screening(shared_run):
    cases = ReviewCase.objects.order_by("id")
    assert cases.count() == 6
    assert {case.state for case in cases} == {State.FIRST_SCREENING}
    assert all(case.source == ReviewCase.Source.WARNING and case.target.run == shared_run for case in cases)
    first = cases.first()
    assert first.due_on == add_working_days(timezone.localdate(), 5)
    assert first.history.first().history_change_reason == f"由筛查批次 #{shared_run.pk} 的预警名单立案"


def test_a_person_already_under_review_that_year_gets_no_second_case(shared_run, msb, regions):
    person = ReviewCase.objects.first().person
    run = make_run(msb, [(11, regions["hantian"])])
    run.targets.create(person=person, region=regions["hantian"], total_cost=1, fund_paid=0, out_of_pocket=1,
                       settlement_count=1, own_share=1)
    review.review_cases_open_for_run(run=run, acting_user=msb)
    assert ReviewCase.objects.filter(person=person).count() == 1
    assert ReviewCase.objects.count() == 7


def test_the_whole_path_from_first_screening_to_eligible(shared_run, cab_city, cab_town, cab_village,
                                                         cab_city_colleague):
    case = case_of("韩田村")
    case = review.review_case_dispatch(case=case, acting_user=cab_city)
    assert (case.state, case.due_on) == (State.AT_TOWN, add_working_days(timezone.localdate(), 5))
    case = review.review_case_assign(case=case, acting_user=cab_town)
    assert (case.state, case.region.name) == (State.AT_VILLAGE, "韩田村")
    assert case.due_on == add_working_days(timezone.localdate(), 10)
    case = verify(case, cab_village)
    assert (case.state, case.verified_by, case.household.count()) == (State.VERIFIED, cab_village, 2)
    case = review.review_case_determine(case=case, acting_user=cab_city, eligible=True,
                                        category=low_income_category())
    assert (case.state, case.category.name, case.determined_by, case.due_on) == (
        State.ELIGIBLE, "低保边缘家庭", cab_city, None)
    history = list(case.history.order_by("history_id").values_list("state", "history_user__username",
                                                                   "history_change_reason"))
    assert history == [
        (State.FIRST_SCREENING, "msb", f"由筛查批次 #{shared_run.pk} 的预警名单立案"),
        (State.AT_TOWN, "cab_city", "监测初筛完成，派至乡镇（街道）"),
        (State.AT_VILLAGE, "cab_town", "交 韩田村 甄别"),
        (State.VERIFIED, "cab_village", "登记入户甄别结果"),
        (State.ELIGIBLE, "cab_city", "认定为低保边缘家庭"),
    ]


def test_a_case_registered_at_town_level_needs_its_village_named(shared_run, cab_city, cab_town, regions):
    case = review.review_case_dispatch(case=case_of("塘下镇"), acting_user=cab_city)
    with pytest.raises(ValidationError, match="请选择负责甄别的村"):
        review.review_case_assign(case=case, acting_user=cab_town)
    with pytest.raises(ValidationError, match="不是 塘下镇 下属的村"):
        review.review_case_assign(case=case, acting_user=cab_town, village=regions["xincheng_village"])
    case = review.review_case_assign(case=case, acting_user=cab_town, village=regions["shadu"])
    assert (case.state, case.region) == (State.AT_VILLAGE, regions["shadu"])


def test_not_eligible_needs_a_reason_and_returned_cases_are_verified_again(
        shared_run, cab_city, cab_town, cab_village, cab_city_colleague):
    case = review.review_case_assign(case=review.review_case_dispatch(case=case_of("韩田村"), acting_user=cab_city),
                                     acting_user=cab_town)
    case = verify(case, cab_village)
    with pytest.raises(ValidationError, match="请填写退回原因"):
        review.review_case_return(case=case, acting_user=cab_city, reason="  ")
    case = review.review_case_return(case=case, acting_user=cab_city, reason="未核实配偶的工资收入")
    assert (case.state, case.return_reason) == (State.RETURNED, "未核实配偶的工资收入")
    case = verify(case, cab_village, household_income=Decimal("30000"), household=HOUSEHOLD[:1])
    assert (case.state, case.household.count()) == (State.VERIFIED, 1)  # the household as found this time
    with pytest.raises(ValidationError, match="请填写不符合的原因"):
        review.review_case_determine(case=case, acting_user=cab_city, eligible=False)
    with pytest.raises(ValidationError, match="请选择认定类别"):
        review.review_case_determine(case=case, acting_user=cab_city, eligible=True)
    case = review.review_case_determine(case=case, acting_user=cab_city, eligible=False, reason="家庭收入高于标准")
    assert (case.state, case.decision_reason, case.category) == (State.NOT_ELIGIBLE, "家庭收入高于标准", None)


MOVES = {  # move → (the service call, the state it leads to)
    "dispatch": (lambda case, users: review.review_case_dispatch(case=case, acting_user=users["cab_city"]),
                 State.AT_TOWN),
    "assign": (lambda case, users: review.review_case_assign(case=case, acting_user=users["cab_town"]),
               State.AT_VILLAGE),
    "verify": (lambda case, users: verify(case, users["cab_village"]), State.VERIFIED),
    "eligible": (lambda case, users: review.review_case_determine(
        case=case, acting_user=users["cab_city"], eligible=True, category=low_income_category()), State.ELIGIBLE),
    "not eligible": (lambda case, users: review.review_case_determine(
        case=case, acting_user=users["cab_city"], eligible=False, reason="收入超标"), State.NOT_ELIGIBLE),
    "return": (lambda case, users: review.review_case_return(case=case, acting_user=users["cab_city"],
                                                             reason="补充核查"), State.RETURNED),
}


@pytest.mark.parametrize("state", list(State))
@pytest.mark.parametrize("move", list(MOVES))
def test_each_move_is_allowed_exactly_from_the_states_the_table_says(
        shared_run, cab_city, cab_town, cab_village, state, move):
    case = case_of("韩田村")
    ReviewCase.objects.filter(pk=case.pk).update(state=state, category=low_income_category(),
                                                 decision_reason="x", closed_reason="x")  # put it there directly
    call, target = MOVES[move]
    users = {"cab_city": cab_city, "cab_town": cab_town, "cab_village": cab_village}
    if ReviewCase.MOVES.allows(state, target):
        assert call(case, users).state == target
    else:
        with pytest.raises(ValidationError, match=f"当前状态为“{State(state).label}”，不能"):
            call(case, users)
        case.refresh_from_db()
        assert case.state == state  # nothing changed


def test_the_officer_who_verified_a_case_cannot_determine_it(shared_run, cab_city, cab_city_colleague, regions):
    case = review.review_case_dispatch(case=case_of("韩田村"), acting_user=cab_city)
    ReviewCase.objects.filter(pk=case.pk).update(state=State.AT_VILLAGE)
    cab_city.user_permissions.add(*__import__("django.contrib.auth.models", fromlist=["Permission"]).Permission
                                  .objects.filter(codename="verify_reviewcase"))
    cab_city = type(cab_city).objects.get(pk=cab_city.pk)  # fresh permission cache
    case = verify(case, cab_city)
    with pytest.raises(PermissionDenied, match="甄别人不能认定同一对象"):
        review.review_case_determine(case=case, acting_user=cab_city, eligible=True, category=low_income_category())
    case = review.review_case_determine(case=case, acting_user=cab_city_colleague, eligible=True,
                                        category=low_income_category())
    assert case.state == State.ELIGIBLE


def test_officers_act_only_in_their_own_area(shared_run, cab_city, other_town, other_village, cab_town):
    hantian = review.review_case_dispatch(case=case_of("韩田村"), acting_user=cab_city)
    with pytest.raises(PermissionDenied, match="不在您的服务区域内"):
        review.review_case_assign(case=hantian, acting_user=other_town)
    hantian = review.review_case_assign(case=hantian, acting_user=cab_town)
    with pytest.raises(PermissionDenied, match="不在您的服务区域内"):
        verify(hantian, other_village)
    assert ReviewCase.objects.get(pk=hantian.pk).state == State.AT_VILLAGE


@pytest.mark.parametrize("persona, move", [
    ("cab_village", "dispatch"), ("cab_town", "dispatch"), ("cab_town", "eligible"), ("cab_village", "eligible"),
    ("msb", "dispatch"), ("msb", "eligible"), ("clerk", "dispatch"), ("cab_city", "verify"),
])
def test_each_move_needs_its_role(request, shared_run, cab_city, cab_town, cab_village, persona, move):
    state = {"dispatch": State.FIRST_SCREENING, "eligible": State.VERIFIED, "verify": State.AT_VILLAGE}[move]
    case = case_of("韩田村")
    ReviewCase.objects.filter(pk=case.pk).update(state=state)
    user = request.getfixturevalue(persona)
    users = {"cab_city": user, "cab_town": user, "cab_village": user}
    with pytest.raises(PermissionDenied, match="您没有"):
        MOVES[move][0](case, users)


def test_moving_a_case_to_another_village_takes_it_out_of_the_old_officers_sight(
        shared_run, cab_city, cab_village, other_village, regions):
    case = case_of("韩田村")
    assert review_cases_for_user(user=cab_village).filter(pk=case.pk).exists()
    review.review_case_move(case=case, region=regions["shadu"], acting_user=cab_city)
    assert not review_cases_for_user(user=cab_village).filter(pk=case.pk).exists()
    assert review_cases_for_user(user=other_village).filter(pk=case.pk).exists()
    assert ReviewCase.objects.get(pk=case.pk).history.first().history_change_reason == "所属区域由 韩田村 调整为 沙渎村"


def test_a_town_officer_cannot_move_a_case_out_of_the_town(shared_run, cab_town, regions):
    with pytest.raises(PermissionDenied, match="不在您的服务区域内"):
        review.review_case_move(case=case_of("韩田村"), region=regions["xincheng_village"], acting_user=cab_town)


def test_verification_refuses_bad_input_and_keeps_nothing(shared_run, cab_city, cab_town, cab_village):
    case = review.review_case_assign(case=review.review_case_dispatch(case=case_of("韩田村"), acting_user=cab_city),
                                     acting_user=cab_town)
    bad = [
        ({"visited_on": timezone.localdate() + dt.timedelta(days=1)}, "入户核查日期不能晚于今天"),
        ({"household_income": Decimal("-1")}, "家庭年收入"),
        ({"household": [{"name": "", "relation": "子女"}]}, "第 1 位家庭成员：请填写姓名和关系"),
        ({"household": [{"name": "张小", "relation": "子女", "resident_id": "330381201001011235"}]},
         "第 1 位家庭成员：身份证号码"),
    ]
    for changes, message in bad:
        with pytest.raises(ValidationError, match=message):
            verify(case, cab_village, **changes)
    case.refresh_from_db()
    assert (case.state, case.household.count(), case.verified_by) == (State.AT_VILLAGE, 0, None)


@pytest.mark.django_db(transaction=True)
def test_two_officers_deciding_the_same_case_at_once_one_wins(regions, msb, cab_city, cab_city_colleague,
                                                             cab_town, cab_village):
    run = make_run(msb, [(1, regions["hantian"])])
    review.review_cases_open_for_run(run=run, acting_user=msb)
    case = review.review_case_assign(case=review.review_case_dispatch(case=ReviewCase.objects.get(),
                                                                      acting_user=cab_city), acting_user=cab_town)
    case = verify(case, cab_village)
    officers = [cab_city, cab_city_colleague] * 3

    def decide(index):
        if index % 2:
            return review.review_case_determine(case=case, acting_user=officers[index], eligible=False, reason="收入超标")
        return review.review_case_determine(case=case, acting_user=officers[index], eligible=True,
                                            category=low_income_category())

    results = run_concurrently(decide, len(officers))
    won = [result for result in results if isinstance(result, ReviewCase)]
    assert len(won) == 1
    assert all(isinstance(result, ValidationError) for result in results if result not in won), results
    final = ReviewCase.objects.get()
    assert final.state == won[0].state and final.history.count() == 5


def test_deadlines_come_from_the_editable_time_limits(shared_run, cab_city):
    StateDeadline.objects.filter(state=State.AT_TOWN).update(working_days=3)
    case = review.review_case_dispatch(case=case_of("韩田村"), acting_user=cab_city)
    assert case.due_on == add_working_days(timezone.localdate(), 3)




def test_a_year_is_kept_per_case_and_an_applicant_joins_their_existing_case(shared_run, clerk, regions):
    existing = case_of("韩田村")
    same = review.review_case_open_for_application(person=existing.person, year=YEAR, region=regions["hantian"],
                                                   acting_user=clerk)
    assert same == existing
    other_year = review.review_case_open_for_application(person=existing.person, year=YEAR + 1,
                                                         region=regions["hantian"], acting_user=clerk)
    assert other_year != existing and other_year.source == ReviewCase.Source.APPLICATION
