"""Follow-up of assisted families (防止返贫监测): flagged when a screening is shared, worked by the
village's officers, closed with an outcome. Each write is one function, in a transaction, with
the follow-up's row locked."""
import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from fundportal.audit import records_actor
from fundportal.models import Region
from fundportal.states import state_create, state_move
from fundportal.validators import column_errors

from ..access import require
from ..intake.models import ScreeningRun
from ..intake.services import insured_person_moved_away_record
from ..review.deadlines import due_on
from ..review.models import ReviewCase
from ..review.services import screening_run_share
from .models import FollowUp
from .monitoring import flags_for_year
from .stopping import person_pending_work_stop

Outcome = FollowUp.Outcome
DIED_REASON = "参保登记为已死亡：记录在案，不再跟进"


@records_actor
@transaction.atomic
def screening_run_share_and_follow(*, run: ScreeningRun, acting_user) -> ScreeningRun:
    """Share a finished run with civil affairs (its new targets become review cases) and flag,
    apart from them, last years' beneficiaries for follow-up."""
    run = screening_run_share(run=run, acting_user=acting_user)
    followup_flag_for_run(run=run, acting_user=acting_user)
    return run


@transaction.atomic
def followup_flag_for_run(*, run: ScreeningRun, acting_user=None, today: dt.date | None = None) -> int:
    """One follow-up per flagged person and cost year (a second run of the year adds only new
    people). A death is recorded closed at once: nothing to visit, no open task. Returns how many."""
    today = today or timezone.localdate()
    already = set(FollowUp.objects.filter(year=run.year).values_list("person_id", flat=True))
    created = 0
    for flag in flags_for_year(run.year):
        if flag.person_id in already:
            continue
        fields = dict(person_id=flag.person_id, run=run, year=run.year, region_id=flag.region_id,
                      over_threshold=flag.over_threshold, sharp_rise=flag.sharp_rise, died=flag.died,
                      out_of_pocket=flag.out_of_pocket, previous_out_of_pocket=flag.previous_out_of_pocket,
                      assisted_years="、".join(str(year) for year in flag.assisted_years),
                      opened_at=timezone.now(), due_on=today + dt.timedelta(days=settings.FOLLOWUP_CONTACT_DAYS))
        try:
            with transaction.atomic():
                follow_up = state_create(FollowUp, acting_user=acting_user, reason=f"由筛查批次 #{run.pk} 标记", **fields)
        except IntegrityError:
            continue  # flagged meanwhile by another share of the year
        if flag.died:
            _close(follow_up, Outcome.DIED, reason=DIED_REASON, acting_user=acting_user)
        created += 1
    return created


@records_actor
@transaction.atomic
def followup_record(*, follow_up: FollowUp, acting_user, outcome: str, notes: str) -> FollowUp:
    """The village's officer records what the contact found: no risk (the reason written), or a
    review of the household's eligibility (a review case for the year, at the village, pointing at
    the family's last decision; the year's case while it is open), or moved away (the registry
    records it and the family's other pending work stops)."""
    require(acting_user, "record_followup", "登记防止返贫监测结果")
    locked = FollowUp.objects.select_for_update().select_related("region").get(pk=follow_up.pk)
    if acting_user.region is None or not acting_user.region.contains(locked.region):
        raise PermissionDenied("该监测对象不在您的服务区域内")
    if locked.state == FollowUp.State.CLOSED:
        raise ValidationError(f"该监测已办结（{locked.get_outcome_display()}），不能再登记")
    if outcome not in (Outcome.NO_RISK, Outcome.REVIEW, Outcome.MOVED):
        raise ValidationError({"outcome": "请选择跟进结果：无返贫风险、转入资格审核或已迁出"})
    notes = (notes or "").strip()
    if not notes:
        raise ValidationError({"notes": "请填写跟进情况（入户或电话核实了什么）"})
    if errors := column_errors(FollowUp, notes=notes):
        raise ValidationError(errors)
    review_case = _review_case_for(locked, acting_user=acting_user) if outcome == Outcome.REVIEW else None
    closed = _close(locked, outcome, reason=f"跟进结果：{Outcome(outcome).label}", acting_user=acting_user,
                    notes=notes, review_case=review_case, closed_by=acting_user)
    if outcome == Outcome.MOVED:  # the registry learns it too: the family's other pending work stops
        insured_person_moved_away_record(person_id=locked.person_id, acting_user=acting_user,
                                         reason="防止返贫监测：村（社区）核实已迁出本市")
        person_pending_work_stop(person_id=locked.person_id, acting_user=acting_user)
    return closed


def _review_case_for(follow_up: FollowUp, *, acting_user) -> ReviewCase:
    """The year's case, opened at the village — or the one the year has, while it is open. A
    decided one is not reopened from here: that is a review (复核) of the decision."""
    existing = ReviewCase.objects.select_for_update().filter(person_id=follow_up.person_id, year=follow_up.year).first()
    if existing is not None and existing.is_open:
        return existing
    if existing is not None:
        decided = existing.determined_at or existing.state_since
        raise ValidationError({"outcome": f"该对象 {follow_up.year} 年度的资格审核已办结（{existing.get_state_display()}，"
                                          f"{timezone.localtime(decided):%Y-%m-%d}），不能再转入审核：家庭情况有新变化的，"
                                          "请由民政局按复核办理"})
    previous = (ReviewCase.objects.filter(person_id=follow_up.person_id, state=ReviewCase.State.ELIGIBLE)
                .order_by("-determined_at", "-pk").first())
    state = (ReviewCase.State.AT_VILLAGE if follow_up.region.level == Region.Level.VILLAGE
             else ReviewCase.State.AT_TOWN)
    return state_create(ReviewCase, acting_user=acting_user, reason="防止返贫监测转入资格审核",
                        person_id=follow_up.person_id, year=follow_up.year, region=follow_up.region,
                        source=ReviewCase.Source.FOLLOW_UP, previous=previous, state=state,
                        state_since=timezone.now(), due_on=due_on(state))


def _close(follow_up: FollowUp, outcome: str, *, reason: str, acting_user, **fields) -> FollowUp:
    """The move itself (the row already locked or just created by this transaction)."""
    return state_move(follow_up, FollowUp.State.CLOSED, acting_user=acting_user, reason=reason, outcome=outcome,
                      closed_at=timezone.now(), **fields)
