"""Reads of 复核: whether a family may ask for a review now (and of which decision), and which
appeals each member of staff handles.

appeal_basis is the one statement of the filing rules: the progress page and the clerk's page ask
it to decide whether to show the form (appeal_refusal), and the filing services ask it again under
their lock on the application, so what the page said and what the service does cannot differ.
"""
import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from ..access import sees_all_medical_data
from ..applications.models import Application
from ..applications.selectors import applications_for_user
from ..council.models import ResolutionItem
from ..council.selectors import items_in_force
from ..payouts.models import Payout
from ..review.models import ReviewCase
from .models import Appeal

Kind = Appeal.Kind
AppState = Application.State


@dataclass(frozen=True)
class Basis:
    """The decision a review would be of (kind, the review case or the resolution item, when it
    was made), or why there is none to ask about now (`refusal`, Chinese)."""

    refusal: str | None
    kind: str = ""
    review_case: ReviewCase | None = None
    item: ResolutionItem | None = None
    decided_at: dt.datetime | None = None

    @property
    def decider_id(self) -> int | None:
        if self.review_case is not None:
            return self.review_case.determined_by_id
        return self.item.resolution.signed_by_id if self.item is not None else None


def _refused(text: str) -> Basis:
    return Basis(refusal=text)


def appeal_window_ends(decided_at: dt.datetime) -> dt.date:
    """The last day a review of a decision made at `decided_at` may be asked for (calendar days)."""
    return timezone.localdate(decided_at) + dt.timedelta(days=settings.APPEAL_WINDOW_DAYS)


def _open_appeal_refusal(application: Application) -> str | None:
    open_appeal = Appeal.objects.filter(application=application, state=Appeal.State.RECEIVED).first()
    if open_appeal is None:
        return None
    return (f"该申请已有正在办理的复核（编号 {open_appeal.number}，办理期限 {open_appeal.due_on:%Y-%m-%d}），"
            "不能重复提出：请等待复核结果")


def _eligibility_basis(application: Application) -> Basis:
    case = application.review_case
    if case is None or case.state != ReviewCase.State.NOT_ELIGIBLE or case.determined_at is None:
        return _refused("该申请的资格认定正在重新办理，暂无可申请复核的决定")
    earlier = Appeal.objects.filter(review_case=case, created_at__gte=case.determined_at).first()
    if earlier is not None:
        return _refused(f"对这次资格认定已申请过复核（编号 {earlier.number}，结论：{earlier.get_state_display()}），"
                        "同一决定只能申请一次复核；如家庭情况有新的变化，请向所在乡镇（街道）民政部门反映")
    other = (Application.objects.filter(person_id=application.person_id, year=application.year,
                                        state__in=[AppState.UNDER_REVIEW, AppState.READY])
             .exclude(pk=application.pk).first())
    if other is not None:
        return _refused(f"申请人本年度另有申请 {other.number} 正在办理，请在该申请中继续办理")
    return Basis(refusal=None, kind=Kind.ELIGIBILITY, review_case=case, decided_at=case.determined_at)


def _amount_basis(application: Application) -> Basis:
    item = (items_in_force().filter(application=application).select_related("resolution")
            .order_by("-resolution__signed_at").first())
    if item is None or item.decision == ResolutionItem.Decision.DEFER:
        return _refused("该申请尚无理事会对救助金额的决定，暂不能申请复核")
    if Payout.objects.filter(item=item).exists():
        return _refused("该笔救助金已进入发放程序或已经发放，不能再对金额申请复核；如认为金额有误，"
                        "请向红十字会窗口或理事会书面反映，由理事会研究是否以更正决议处理")
    earlier = Appeal.objects.filter(item=item).first()
    if earlier is not None:
        return _refused(f"对这项理事会决定已申请过复核（编号 {earlier.number}，结论：{earlier.get_state_display()}），"
                        "同一决定只能申请一次复核")
    return Basis(refusal=None, kind=Kind.AMOUNT, item=item, decided_at=item.resolution.signed_at)


def appeal_basis(application: Application, *, day: dt.date | None = None) -> Basis:
    """The decision the family may ask to have reviewed on `day`, or why it cannot."""
    day = day or timezone.localdate()
    if application.state == AppState.NOT_ELIGIBLE:
        basis = _eligibility_basis(application)
    elif application.state in (AppState.APPROVED, AppState.REJECTED):
        basis = _amount_basis(application)
    elif application.state == AppState.PAID:
        return _refused("救助金已经发放，不能再对金额申请复核；如认为金额有误，请向红十字会窗口或理事会书面反映")
    elif application.state == AppState.WITHDRAWN:
        return _refused("该申请已终止办理，没有可申请复核的决定")
    else:
        return _refused(f"该申请正在办理（{application.get_state_display()}），还没有可申请复核的决定；"
                        f"作出决定后 {settings.APPEAL_WINDOW_DAYS} 日内可以申请复核")
    if (refusal := _open_appeal_refusal(application)) is not None:
        return _refused(refusal)
    if basis.refusal is not None:
        return basis
    last = appeal_window_ends(basis.decided_at)
    if day > last:
        decided = timezone.localdate(basis.decided_at)
        what = "资格认定" if basis.kind == Kind.ELIGIBILITY else "理事会决定"
        return _refused(f"申请复核的期限已过：{what}于 {decided:%Y-%m-%d} 作出，应在 {settings.APPEAL_WINDOW_DAYS} 日内"
                        f"（{last:%Y-%m-%d} 前）提出。如家庭情况有新的变化，请向所在乡镇（街道）民政部门反映，"
                        "或在下一年度重新申请")
    return basis


def appeal_refusal(application: Application, *, day: dt.date | None = None) -> str | None:
    """Why the family cannot ask for a review now (Chinese), or None if it can. The progress page
    and the clerk's page show the form only when None; the services ask again under their locks."""
    return appeal_basis(application, day=day).refusal


# ----------------------------------------------------------------------------------------- staff lists

def appeals_for_user(*, user) -> QuerySet[Appeal]:
    """Auditors (and whoever sees every case): all. Civil-affairs officers: the eligibility
    appeals of their own area (nothing without an area). The council's secretary: the amount
    appeals. Clerks: the appeals they recorded and those of applications they entered."""
    appeals = Appeal.objects.select_related("application__person", "region", "review_case", "item__resolution")
    if not user.has_perm("assistance.view_appeal"):
        return appeals.none()
    if sees_all_medical_data(user):
        return appeals
    if user.has_perm("assistance.view_reviewcase"):
        if user.region is None:
            return appeals.none()
        return appeals.filter(kind=Kind.ELIGIBILITY, region__path__startswith=user.region.path)
    if user.has_perm("assistance.decide_amount_appeal"):
        return appeals.filter(kind=Kind.AMOUNT)
    if user.has_perm("assistance.add_appeal"):
        return appeals.filter(Q(recorded_by=user) | Q(application__in=applications_for_user(user=user).values("pk")))
    return appeals.none()


def appeals_overdue(appeals: QuerySet[Appeal], *, day: dt.date | None = None) -> QuerySet[Appeal]:
    """The open appeals past their deadline on `day`."""
    return appeals.filter(state=Appeal.State.RECEIVED, due_on__lt=day or timezone.localdate())


def appeal_decide_permission(kind: str) -> str:
    """The permission deciding an appeal of `kind` takes."""
    return "decide_eligibility_appeal" if kind == Kind.ELIGIBILITY else "decide_amount_appeal"


def original_decider_id(appeal: Appeal) -> int | None:
    """Who made the decision under review: the officer who determined eligibility, or the
    secretary who signed the resolution. They never decide its review."""
    if appeal.kind == Appeal.Kind.ELIGIBILITY:
        return appeal.review_case.determined_by_id
    return appeal.item.resolution.signed_by_id


def appeal_may_decide(user, appeal: Appeal) -> bool:
    """Whether the decide form is shown to this user (the service checks again, and more)."""
    if appeal.state != Appeal.State.RECEIVED or not user.has_perm(f"assistance.{appeal_decide_permission(appeal.kind)}"):
        return False
    if original_decider_id(appeal) == user.pk:
        return False
    return appeals_for_user(user=user).filter(pk=appeal.pk).exists()
