"""The writes of 复核: a family's request for review, recorded by a clerk at the counter or sent by
the family from its progress page, and the decision on it.

Filing locks the application row, then asks selectors.appeal_basis (the rules the pages show)
again: two requests at the same moment give one appeal and one clear refusal; the partial unique
constraint (one open appeal per application) is the backstop. Deciding locks the application,
then the appeal (the same order as filing), and either upholds the decision or reopens the case
at the right step, in the same transaction: the review case goes back to verification through the
review stage's own return (review_case_return: its deadline and state_since set as for any
return) and the application back under review; or, for an amount, the application goes back to
costing, so the council's next resolution costs it again — its item then replaces the old one
(council.selectors.items_in_force) and the old one is never paid (the payout batch pays only
applications still approved). Whoever made the original decision may not decide its review.
"""
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from fundportal.audit import records_actor
from fundportal.dates import add_working_days
from fundportal.states import state_create, state_move
from fundportal.text import free_text_checked

from ..access import require, sees_all_medical_data
from ..applications.models import Application
from ..applications.moves import applications_move
from ..council.selectors import items_in_force
from ..notify import notify_appeal_decided
from ..payouts.models import Payout
from ..publicity.services import case_number_next
from ..review.services import review_case_return
from .models import Appeal
from .selectors import appeal_basis, appeal_decide_permission, original_decider_id

GROUNDS_MIN, GROUNDS_MAX = 5, 1000
REASON_MIN, REASON_MAX = 5, 1000
OPEN_ONE = "appeal_one_open_per_application"
DUPLICATE = "该申请已有正在办理的复核，不能重复提出：请等待复核结果"


def _text(value: str, *, field: str, label: str, min_length: int, max_length: int) -> str:
    return free_text_checked(value, field=field, label=label, min_length=min_length, max_length=max_length)


# --------------------------------------------------------------------------------------------- filing

def _file(*, application: Application, grounds: str, channel: str, acting_user) -> Appeal:
    grounds = _text(grounds, field="grounds", label="复核理由", min_length=GROUNDS_MIN, max_length=GROUNDS_MAX)
    # Locked, then read: a second request for the same application waits here and then finds the
    # first one open.
    locked = (Application.objects.select_for_update(of=("self",)).select_related("review_case", "region")
              .get(pk=application.pk))
    today = timezone.localdate()
    basis = appeal_basis(locked, day=today)
    if basis.refusal is not None:
        raise ValidationError(basis.refusal, code="appeal_refused")
    region = basis.review_case.region if basis.review_case is not None else locked.region
    how = Appeal.Channel(channel).label
    try:
        with transaction.atomic():
            return state_create(
                Appeal, acting_user=acting_user, reason=f"收到复核申请（{how}）",
                number=case_number_next("FH", today.year), kind=basis.kind, application=locked,
                review_case=basis.review_case, item=basis.item, region=region, channel=channel, grounds=grounds,
                filed_on=today, due_on=add_working_days(today, settings.APPEAL_WORKING_DAYS),
                recorded_by=acting_user)
    except IntegrityError as exc:
        if OPEN_ONE in str(exc):
            raise ValidationError(DUPLICATE, code="appeal_refused") from exc
        raise


@records_actor
@transaction.atomic
def appeal_file(*, application: Application, grounds: str, acting_user) -> Appeal:
    """A clerk records a family's request for review brought to the counter."""
    require(acting_user, "add_appeal", "登记复核申请")
    return _file(application=application, grounds=grounds, channel=Appeal.Channel.CLERK, acting_user=acting_user)


@transaction.atomic
def appeal_submit_online(*, application: Application, grounds: str) -> Appeal:
    """The family itself, from its progress page (no login: the caller has checked the number and
    the code, and rate-limits)."""
    return _file(application=application, grounds=grounds, channel=Appeal.Channel.ONLINE, acting_user=None)


# ------------------------------------------------------------------------------------------- deciding

def _require_decider(user, appeal: Appeal) -> None:
    """The kind's permission, the officer's area, and someone other than the original decider."""
    if user.has_perm("assistance.view_reviewcase") and not sees_all_medical_data(user):
        # Civil-affairs officers decide in their own area only.
        if user.region is None or not appeal.region.path.startswith(user.region.path):
            raise PermissionDenied("该复核申请不在您的服务区域内")
    if original_decider_id(appeal) == user.pk:
        what = "资格认定" if appeal.kind == Appeal.Kind.ELIGIBILITY else "签署决议"
        raise PermissionDenied(f"原决定（{what}）由您作出，不能办理对它的复核：请由其他有权限的工作人员办理")


def _reopen_eligibility(appeal: Appeal, application: Application, *, acting_user, reason: str) -> None:
    """The review case back to the village for verification (the review's own return), and the
    application under review again: the next determination moves it as any other."""
    if application.state != Application.State.NOT_ELIGIBLE:
        raise ValidationError(f"申请现为“{application.get_state_display()}”，不能按复核重新认定")
    review_case_return(case=appeal.review_case, acting_user=acting_user,
                       reason=f"复核 {appeal.number} 撤销原认定，重新甄别：{reason}")
    try:
        with transaction.atomic():
            applications_move(Application.objects.filter(pk=application.pk), Application.State.UNDER_REVIEW,
                              acting_user=acting_user, reason=f"复核 {appeal.number} 撤销原认定，重新审核")
    except IntegrityError as exc:  # another open application of the person and year
        raise ValidationError("申请人本年度另有申请正在办理，不能重新办理本申请：请在该申请中继续办理") from exc


def _reopen_amount(appeal: Appeal, application: Application, *, acting_user) -> None:
    """The application back to costing for the council's next resolution. Refused once money for
    the decision has gone into a payout: the council corrects a paid decision, not a review."""
    if application.state not in (Application.State.APPROVED, Application.State.REJECTED):
        raise ValidationError(f"申请现为“{application.get_state_display()}”，不能退回重新测算")
    if not items_in_force().filter(pk=appeal.item_id).exists():
        raise ValidationError("原决定已被理事会此后的决议更正，复核针对的决定已不再有效：请维持并说明，或按新决议办理")
    if Payout.objects.filter(application=application, state__in=Payout.LIVE_STATES).exists() or \
            Payout.objects.filter(item=appeal.item).exists():
        raise ValidationError("该笔救助金已生成支付，不能撤销原决定重新测算：请维持原决定并说明理由，"
                              "如金额确有错误，由理事会以更正决议处理")
    applications_move(Application.objects.filter(pk=application.pk), Application.State.READY,
                      acting_user=acting_user, reason=f"复核 {appeal.number} 撤销原决定，退回重新测算")


@records_actor
@transaction.atomic
def appeal_decide(*, appeal: Appeal, acting_user, reopen: bool, reason: str) -> Appeal:
    """维持原决定 (upheld) or 撤销原决定，重新办理 (reopened at the right step), with the reason the
    family will read."""
    require(acting_user, appeal_decide_permission(appeal.kind), f"办理{Appeal.Kind(appeal.kind).label}")
    reason = _text(reason, field="reason", label="复核结论及理由", min_length=REASON_MIN, max_length=REASON_MAX)
    # The application first, as filing, signing and the payout batch lock it; then the appeal.
    application = Application.objects.select_for_update(of=("self",)).get(pk=appeal.application_id)
    locked = (Appeal.objects.select_for_update(of=("self",))
              .select_related("region", "review_case", "item__resolution").get(pk=appeal.pk))
    _require_decider(acting_user, locked)
    to = Appeal.State.REOPENED if reopen else Appeal.State.UPHELD
    if not Appeal.MOVES.allows(locked.state, to):
        raise ValidationError(Appeal.MOVES.refusal(Appeal, locked.state, to), code="invalid_move")
    if reopen and locked.kind == Appeal.Kind.ELIGIBILITY:
        _reopen_eligibility(locked, application, acting_user=acting_user, reason=reason)
    elif reopen:
        _reopen_amount(locked, application, acting_user=acting_user)
    decided = state_move(locked, to, acting_user=acting_user, reason=f"{Appeal.State(to).label}：{reason}",
                         decision_reason=reason, decided_by=acting_user, decided_at=timezone.now())
    notify_appeal_decided(Application.objects.select_related("person").get(pk=application.pk),
                          reopened=bool(reopen), appeal_id=decided.pk)
    return decided

