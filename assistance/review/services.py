"""Eligibility review by civil affairs: every move of a review case is one function here, and
the two ways a case opens (a screening run shared with civil affairs, an application).

Each function checks the acting officer's permission and area, locks the case, re-reads its
state, checks the move against ReviewCase.MOVES, and moves it through fundportal.states
(state_move), which writes it with a history row saying who did what and why. Bulk moves (a run's
cases to their towns, a town's cases to their villages) go through states_move: their rows locked
in one query, written in a bounded number of statements.
"""
import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from fundportal.audit import records_actor
from fundportal.dates import BUSINESS, date_range_error
from fundportal.models import Region
from fundportal.states import state_create, state_move, states_move
from fundportal.validators import column_errors

from ..access import require
from ..intake.models import InsuredPerson, ScreeningRun
from ..applications.models import Application
from ..notify import notify_eligibility
from .household import household_rows_checked
from .deadlines import due_on
from .models import EligibilityCategory, HouseholdMember, OverdueCount, ReviewCase
from .rechecks import eligibility_valid_until
from .selectors import review_cases_for_user, review_overdue_by_town

State = ReviewCase.State


def _require_area(user, region: Region) -> None:
    if user.region is None or not user.region.contains(region):
        raise PermissionDenied("该审核对象不在您的服务区域内")


def _locked(case: ReviewCase, *, to: str, acting_user) -> ReviewCase:
    """The case row locked and re-read; the move checked against MOVES and the officer's area."""
    locked = ReviewCase.objects.select_for_update().select_related("region").get(pk=case.pk)
    _require_area(acting_user, locked.region)
    if not ReviewCase.MOVES.allows(locked.state, to):
        raise ValidationError(ReviewCase.MOVES.refusal(ReviewCase, locked.state, to), code="invalid_move")
    return locked


def _enter(case: ReviewCase, state: str, *, reason: str, acting_user, **fields) -> ReviewCase:
    """The move itself (the case already locked by this transaction): the state, when it was
    entered and its deadline, with `fields`, in one save and one history row."""
    return state_move(case, state, acting_user=acting_user, reason=reason, state_since=timezone.now(),
                      due_on=due_on(state), **fields)


# ------------------------------------------------------------------------------------------- open

@records_actor
@transaction.atomic
def screening_run_share(*, run: ScreeningRun, acting_user) -> ScreeningRun:
    """The MSB shares a finished run with civil affairs: from now on CAB officers see its targets,
    and each target not yet under review that year becomes a review case (first screening)."""
    if not acting_user.has_perm("assistance.share_screeningrun"):
        raise PermissionError("您没有共享筛查结果的权限")
    run = ScreeningRun.objects.select_for_update().get(pk=run.pk)
    if run.state != ScreeningRun.State.DONE:
        raise ValidationError("筛查尚未完成，不能共享")
    if run.shared_at is not None:
        raise ValidationError("该批次已于 %(at)s 共享", params={"at": f"{timezone.localtime(run.shared_at):%Y-%m-%d %H:%M}"})
    run.shared_at = timezone.now()
    run.shared_by = acting_user
    run._change_reason = "共享给民政局"
    run.save(update_fields=["shared_at", "shared_by"])
    review_cases_open_for_run(run=run, acting_user=acting_user)  # each target becomes a review case
    return run


@records_actor
@transaction.atomic
def review_cases_open_for_run(*, run: ScreeningRun, acting_user) -> int:
    """A shared run's targets become review cases (first screening), except people already under
    review for that year. Targets outside the city (no region) are not the city's to review."""
    already = ReviewCase.objects.filter(year=run.year).values("person_id")
    targets = (run.targets.filter(region__isnull=False).exclude(person_id__in=already)
               .only("id", "person_id", "region_id").order_by("id"))
    now, deadline = timezone.now(), due_on(State.FIRST_SCREENING)
    # Each starts in first screening, the field's default (ReviewCase.MOVES.initial).
    cases = [ReviewCase(person_id=target.person_id, year=run.year, region_id=target.region_id,
                        source=ReviewCase.Source.WARNING, target_id=target.pk,
                        state_since=now, due_on=deadline) for target in targets]
    bulk_create_with_history(cases, ReviewCase, batch_size=2000, default_user=acting_user,
                             default_change_reason=f"由筛查批次 #{run.pk} 的预警名单立案")
    return len(cases)


@records_actor
@transaction.atomic
def review_case_open_for_application(*, person: InsuredPerson, year: int, region: Region,
                                     acting_user) -> ReviewCase:
    """An applicant not yet determined eligible: their case for the year, opened if there is none."""
    case = ReviewCase.objects.select_for_update().filter(person=person, year=year).first()
    if case is not None:
        return case
    return state_create(ReviewCase, acting_user=acting_user, reason="由救助申请立案", person=person, year=year,
                        region=region, source=ReviewCase.Source.APPLICATION,
                        state_since=timezone.now(), due_on=due_on(State.FIRST_SCREENING))


# ------------------------------------------------------------------------------------------ moves

@records_actor
@transaction.atomic
def review_case_dispatch(*, case: ReviewCase, acting_user) -> ReviewCase:
    """First screening done: the city bureau sends the case to its town/street."""
    require(acting_user, "dispatch_reviewcase", "派发审核对象")
    case = _locked(case, to=State.AT_TOWN, acting_user=acting_user)
    return _enter(case, State.AT_TOWN, reason="监测初筛完成，派至乡镇（街道）", acting_user=acting_user)


@records_actor
@transaction.atomic
def review_cases_dispatch(*, acting_user, run: ScreeningRun | None = None) -> int:
    """Every first-screened case in the officer's area (of one run, if given) to its town, at
    once: one locking query, one update, one batch of history rows, whatever their number."""
    require(acting_user, "dispatch_reviewcase", "派发审核对象")
    return _bulk_move(review_cases_for_user(user=acting_user), moving_from=State.FIRST_SCREENING,
                      run=run, to=State.AT_TOWN, reason="监测初筛完成，批量派至乡镇（街道）", acting_user=acting_user)


@records_actor
@transaction.atomic
def review_case_assign(*, case: ReviewCase, acting_user, village: Region | None = None) -> ReviewCase:
    """The town hands the case to a village/community for verification. A case registered at town
    level needs the village named; one already in a village stays there."""
    require(acting_user, "assign_reviewcase", "交村（社区）甄别")
    case = _locked(case, to=State.AT_VILLAGE, acting_user=acting_user)
    if case.region.level != Region.Level.VILLAGE:
        if village is None:
            raise ValidationError({"village": "请选择负责甄别的村（社区）"})
        if village.level != Region.Level.VILLAGE or not case.region.contains(village):
            raise ValidationError({"village": f"{village} 不是 {case.region} 下属的村（社区）"})
        case.region = village
    elif village is not None and village != case.region:
        raise ValidationError({"village": f"该对象户籍在 {case.region}，只能交该村（社区）甄别"})
    return _enter(case, State.AT_VILLAGE, reason=f"交 {case.region} 甄别", acting_user=acting_user,
                  region=case.region)


@records_actor
@transaction.atomic
def review_cases_assign(*, acting_user, run: ScreeningRun | None = None) -> int:
    """Every case at the officer's town whose household is registered in a village, to that
    village. Cases registered at town level are left: each needs its village chosen."""
    require(acting_user, "assign_reviewcase", "交村（社区）甄别")
    cases = review_cases_for_user(user=acting_user).filter(region__level=Region.Level.VILLAGE)
    return _bulk_move(cases, moving_from=State.AT_TOWN, run=run, to=State.AT_VILLAGE, reason="批量交村（社区）甄别",
                      acting_user=acting_user)


def _bulk_move(cases: QuerySet, *, moving_from: str, run: ScreeningRun | None, to: str, reason: str,
               acting_user) -> int:
    """The cases still `moving_from` when their locks are granted: one another officer moved a
    moment ago is left out, not a reason to refuse the rest."""
    if run is not None:
        cases = cases.filter(target__run=run)
    # The rows themselves (select_for_update() takes no outer joins to nullable relations): locked
    # in one query, one UPDATE, one batch of history rows (fundportal.states.states_move). The
    # state is a condition on the locked table itself, so PostgreSQL checks it again on a row it
    # had to wait for (a condition inside the pk subquery would be read from the old snapshot).
    locked = ReviewCase.objects.filter(pk__in=cases.values("pk"), state=moving_from)
    return len(states_move(locked, to, acting_user=acting_user, reason=reason, state_since=timezone.now(),
                           due_on=due_on(to)))


@records_actor
@transaction.atomic
def review_case_verify(*, case: ReviewCase, acting_user, household: list[dict], household_income: Decimal,
                       visited_on: dt.date, assets: str = "", housing: str = "", notes: str = "") -> ReviewCase:
    """The village's verification (甄别): the household as found on the visit, income, assets,
    housing and notes. A returned case is verified again the same way."""
    require(acting_user, "verify_reviewcase", "登记甄别结果")
    case = _locked(case, to=State.VERIFIED, acting_user=acting_user)
    members = _household_members(household, own_resident_id=case.person.resident_id)
    errors = {}
    if visited_on is None:
        errors["visited_on"] = "请填写入户核查日期"
    elif visited_on > timezone.localdate():
        errors["visited_on"] = "入户核查日期不能晚于今天"
    elif error := date_range_error(visited_on, BUSINESS, "入户核查日期"):
        errors["visited_on"] = error  # a visit before the fund existed is a typing error
    errors.update(column_errors(ReviewCase, household_income=household_income, assets=assets, housing=housing,
                                notes=notes))
    if household_income is None or household_income < 0:
        errors["household_income"] = "请填写家庭年收入（不能为负数）"
    if errors:
        raise ValidationError(errors)
    case.household.all().delete()  # one history row per member removed (delete() sends the signals)
    for member in members:
        member.case = case
    bulk_create_with_history(members, HouseholdMember, default_user=acting_user,
                             default_change_reason="登记入户甄别结果")
    return _enter(case, State.VERIFIED, reason="登记入户甄别结果", acting_user=acting_user,
                  household_income=household_income, visited_on=visited_on, assets=assets.strip(),
                  housing=housing.strip(), notes=notes.strip(), verified_by=acting_user, verified_at=timezone.now())


def _household_members(rows: list[dict], *, own_resident_id: str) -> list[HouseholdMember]:
    checked, problems = household_rows_checked(rows, own_resident_id=own_resident_id)
    members = []
    for row in checked:
        income = row.get("annual_income") or Decimal("0")
        if income < 0:
            problems.append(f"第 {row['number']} 位家庭成员：年收入不能为负数")
            continue
        members.append(HouseholdMember(name=row["name"][:50], relation=row["relation"][:20],
                                       resident_id=row["resident_id"], annual_income=income,
                                       notes=(row.get("notes") or "").strip()[:100]))
    if problems:
        raise ValidationError({"household": problems})
    return members


@records_actor
@transaction.atomic
def review_case_determine(*, case: ReviewCase, acting_user, eligible: bool,
                          category: EligibilityCategory | None = None, reason: str = "") -> ReviewCase:
    """The bureau's decision: eligible with a category, or not eligible with a reason. Whoever
    verified the case may not also decide it."""
    require(acting_user, "determine_reviewcase", "认定低收入资格")
    to = State.ELIGIBLE if eligible else State.NOT_ELIGIBLE
    case = _locked(case, to=to, acting_user=acting_user)
    if case.verified_by_id == acting_user.pk:
        raise PermissionDenied("甄别人不能认定同一对象：请由其他工作人员认定")
    if eligible:
        if category is None or not category.is_active:
            raise ValidationError({"category": "请选择认定类别"})
        decision = {"category": category, "decision_reason": ""}
    else:
        if not reason.strip():
            raise ValidationError({"reason": "请填写不符合的原因"})
        decision = {"category": None, "decision_reason": reason.strip()}
    now = timezone.now()
    if eligible:  # eligibility lapses; a re-review opens before it does (rechecks.py)
        decision["valid_until"] = eligibility_valid_until(timezone.localdate(now))
    else:
        decision["valid_until"] = None
    case = _enter(case, to, reason=f"认定为{category}" if eligible else "认定不符合", acting_user=acting_user,
                  determined_by=acting_user, determined_at=now, **decision)
    _applications_follow(case)
    return case


def _applications_follow(case: ReviewCase) -> None:
    """The person's applications waiting on this decision follow it: ready for costing, or not
    eligible."""
    state = Application.State.READY if case.state == State.ELIGIBLE else Application.State.NOT_ELIGIBLE
    moved = states_move(Application.objects.filter(review_case=case, state=Application.State.UNDER_REVIEW), state,
                        reason=f"民政认定：{case.get_state_display()}")
    for application in Application.objects.filter(pk__in=moved).select_related("person"):
        notify_eligibility(application, eligible=case.state == State.ELIGIBLE, decided_at=case.determined_at)


@records_actor
@transaction.atomic
def review_case_return(*, case: ReviewCase, acting_user, reason: str) -> ReviewCase:
    """Back to the village for another verification, with the reason."""
    require(acting_user, "determine_reviewcase", "退回重新甄别")
    case = _locked(case, to=State.RETURNED, acting_user=acting_user)
    if not reason.strip():
        raise ValidationError({"reason": "请填写退回原因"})
    return _enter(case, State.RETURNED, reason="退回重新甄别", acting_user=acting_user, return_reason=reason.strip())


@records_actor
@transaction.atomic
def review_case_move(*, case: ReviewCase, region: Region | None, acting_user) -> ReviewCase:
    """Correct an open case's area (a wrong household registration): it leaves the old area's
    officers' sight and appears in the new one's."""
    require(acting_user, "move_reviewcase", "调整审核对象所属区域")
    if region is None:  # asked before the area check, which would otherwise answer about no area
        raise ValidationError({"region": "请选择调整后的乡镇（街道）或村（社区）"})
    locked = ReviewCase.objects.select_for_update().select_related("region").get(pk=case.pk)
    _require_area(acting_user, locked.region)
    _require_area(acting_user, region)
    if not locked.is_open:
        raise ValidationError("已认定的审核对象不能调整区域")
    if region.level == Region.Level.CITY:
        raise ValidationError({"region": "请选择乡镇（街道）或村（社区）"})
    if locked.state == State.AT_VILLAGE and region.level != Region.Level.VILLAGE:
        raise ValidationError({"region": "正在甄别的对象只能调整到村（社区）"})
    old = locked.region
    locked.region = region
    locked._change_reason = f"所属区域由 {old} 调整为 {region}"
    locked.save(update_fields=["region"])
    return locked


# -------------------------------------------------------------------------------------- deadlines

@transaction.atomic
def review_overdue_count_record(*, day: dt.date | None = None) -> int:
    """Count the open cases past their deadline per town and state, for `day` (idempotent: a
    second run the same day replaces the first). Returns the number of overdue cases."""
    day = day or timezone.localdate()
    counts = review_overdue_by_town(day=day)
    OverdueCount.objects.filter(day=day).delete()
    OverdueCount.objects.bulk_create(OverdueCount(day=day, town_id=town_id, state=state, count=count)
                                     for (town_id, state), count in counts.items())
    return sum(counts.values())
