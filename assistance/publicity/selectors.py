"""Reads of 公示 and objections: what may be paid, what the public sees, what each officer handles."""
import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from ..access import sees_all_medical_data
from ..council.models import Resolution, ResolutionItem
from .models import Objection, Publicity, PublicityEntry

OPEN = Objection.OPEN_STATES
APPEAL_OPEN = "received"  # assistance.appeals.models.Appeal.State.RECEIVED


def items_held(items: QuerySet[ResolutionItem], *, day: dt.date | None = None) -> QuerySet[ResolutionItem]:
    """The items that may not be paid yet, or never: their resolution needed a 公示 and it has not
    ended by `day` (or was never posted), or an objection against the entry is open or upheld, or
    the family asked for a review (复核) of the amount and it is not decided yet (read through the
    relation's name: the appeals stage comes after this one)."""
    day = day or timezone.localdate()
    blocking = Objection.objects.filter(entry__item=OuterRef("pk")).filter(
        Q(state__in=OPEN) | Q(state=Objection.State.UPHELD))
    ended = PublicityEntry.objects.filter(item=OuterRef("pk"), publicity__ends_on__lt=day)
    held = items.filter(Q(resolution__publicity_required=True) & (~Exists(ended) | Exists(blocking)))
    return held | items.filter(pk__in=items.filter(application__appeals__state=APPEAL_OPEN).values("pk"))


def item_hold_reason(item: ResolutionItem, *, day: dt.date | None = None) -> str | None:
    """Why this approved item may not be paid on `day` (Chinese), or None."""
    day = day or timezone.localdate()
    if item.application.appeals.filter(state=APPEAL_OPEN).exists():
        return "家庭已对救助金额申请复核，复核办结前暂缓发放"
    if not item.resolution.publicity_required:
        return None
    entry = PublicityEntry.objects.select_related("publicity").filter(item=item).first()
    if entry is None:
        return "尚未公示"
    if entry.publicity.ends_on >= day:
        return f"公示期至 {entry.publicity.ends_on:%Y-%m-%d}，期满后方可发放"
    objections = entry.objections.all()
    if any(objection.state == Objection.State.UPHELD for objection in objections):
        return "公示异议成立，停止发放"
    if any(objection.is_open for objection in objections):
        return "有公示异议正在核查，办结前暂缓发放"
    return None


def publicity_of(resolution: Resolution) -> Publicity | None:
    return Publicity.objects.filter(resolution=resolution).first()


@dataclass(frozen=True)
class ObjectionCounts:
    received: int
    upheld: int
    dismissed: int
    open: int


def objection_counts(publicity: Publicity) -> ObjectionCounts:
    """What the public page and the next statement say: received, upheld, dismissed, open."""
    counts = Objection.objects.filter(entry__publicity=publicity).aggregate(
        received=Count("pk"), upheld=Count("pk", filter=Q(state=Objection.State.UPHELD)),
        dismissed=Count("pk", filter=Q(state=Objection.State.DISMISSED)),
        open=Count("pk", filter=Q(state__in=OPEN)))
    return ObjectionCounts(**counts)


def objections_for_user(*, user) -> QuerySet[Objection]:
    """Auditors: every objection. Civil-affairs officers: those of their own area (an objection
    belongs to its entry's village), nothing without an area. Clerks and the council's secretary
    and finance: every one they may view (they record them at the counter, or hold the payouts)."""
    objections = Objection.objects.select_related("entry__publicity__resolution", "region")
    if not user.has_perm("assistance.view_objection"):
        return objections.none()
    if sees_all_medical_data(user) or not user.has_perm("assistance.investigate_objection"):
        return objections
    if user.region is None:
        return objections.none()
    return objections.filter(region__path__startswith=user.region.path)


def objections_overdue(objections: QuerySet[Objection], *, day: dt.date | None = None) -> QuerySet[Objection]:
    return objections.filter(state__in=OPEN, due_on__lt=day or timezone.localdate())


def publicity_entries_public(publicity: Publicity, *, region_path: str | None = None) -> QuerySet[PublicityEntry]:
    """The lines the public page shows: only what was posted (masked name, village, category, amount)."""
    entries = publicity.entries.select_related("region__parent").order_by("line")
    if region_path:
        entries = entries.filter(region__path__startswith=region_path)
    return entries.only("line", "shown_name", "category", "amount", "region__name", "region__parent__name",
                        "region__path", "publicity_id")
