"""Reads of 公示 and objections: what may be paid, what the public sees, what each officer handles."""
import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from fundportal.masking import mask_hidden, mask_phone

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


def objection_count_expressions(path: str = "") -> dict[str, Count]:
    """The four counts the public sees (received, upheld, dismissed, open) as aggregates over the
    objections at `path` ("" for Objection itself; "entries__objections" from a Publicity)."""
    key, state = (path, f"{path}__state") if path else ("pk", "state")
    return {"received": Count(key, distinct=True),
            "upheld": Count(key, distinct=True, filter=Q(**{state: Objection.State.UPHELD})),
            "dismissed": Count(key, distinct=True, filter=Q(**{state: Objection.State.DISMISSED})),
            "open": Count(key, distinct=True, filter=Q(**{f"{state}__in": OPEN}))}


def objection_counts(publicity: Publicity) -> ObjectionCounts:
    """What the public page and the next statement say: received, upheld, dismissed, open."""
    return ObjectionCounts(**Objection.objects.filter(entry__publicity=publicity).aggregate(
        **objection_count_expressions()))


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


def contact_masked(contact: str) -> str:
    """An objector's contact on a list: a phone as 138****1234, an address (or anything else)
    only as there being one."""
    digits = sum(ch.isdigit() for ch in contact or "")
    return mask_phone(contact) if digits >= 7 and digits >= len(contact.strip()) - 3 else mask_hidden(contact)


def sees_objector(user) -> bool:
    """Who reads what an objection says, who made it and how to reach them, and what the visit
    found: the civil-affairs officers handling it (objections_for_user keeps them to their area)
    and auditors. Finance and the council's secretary need the entry, the state and the outcome."""
    return user.has_perm("assistance.investigate_objection") or user.has_perm("fundportal.view_audit_trail")


def publicities_for_user(*, user) -> QuerySet[Publicity]:
    """Every 公示 (it is public), to whoever may view them, newest first, with its entry count."""
    if not user.has_perm("assistance.view_publicity"):
        return Publicity.objects.none()
    return (Publicity.objects.select_related("resolution", "posted_by")
            .annotate(entry_count=Count("entries", distinct=True)).order_by("-starts_on", "-id"))


def publicities_open_to_objection(*, user) -> QuerySet[Publicity]:
    """The 公示 staff may still record an objection against: posted, with an entry whose payment
    has not been prepared (objection_record refuses the others, and the rest of the list is old)."""
    unpaid = PublicityEntry.objects.filter(publicity=OuterRef("pk"), item__payouts__isnull=True)
    return (publicities_for_user(user=user).filter(Exists(unpaid), starts_on__lte=timezone.localdate()))


def entry_by_line(publicity: Publicity, line: int | None) -> PublicityEntry | None:
    """The entry staff name by its 公示 and line number (as the objector reads it off the board)."""
    if line is None:
        return None
    return publicity.entries.select_related("region").filter(line=line).first()


@dataclass(frozen=True)
class PublicityHolds:
    """What a resolution's 公示 holds back on `day`: all of it while the period runs, else the
    entries an open or upheld objection holds, each with why (item_hold_reason)."""

    publicity: Publicity | None
    running: bool
    held: list[tuple[PublicityEntry, str, list[Objection]]]


def publicity_holds(resolution: Resolution, *, day: dt.date | None = None) -> PublicityHolds:
    day = day or timezone.localdate()
    publicity = Publicity.objects.filter(resolution=resolution).first()
    if publicity is None:
        return PublicityHolds(publicity=None, running=False, held=[])
    if publicity.ends_on >= day:  # every entry waits for the same day: said once, not per line
        return PublicityHolds(publicity=publicity, running=True, held=[])
    held_items = items_held(ResolutionItem.objects.filter(publicity_entry__publicity=publicity), day=day)
    entries = (publicity.entries.filter(item__in=held_items)
               .select_related("item__resolution", "item__application", "region")
               .prefetch_related("objections").order_by("line"))
    return PublicityHolds(publicity=publicity, running=False, held=[
        (entry, item_hold_reason(entry.item, day=day),
         [objection for objection in entry.objections.all() if objection.state != Objection.State.DISMISSED])
        for entry in entries])


def publicity_entries_public(publicity: Publicity, *, region_path: str | None = None) -> QuerySet[PublicityEntry]:
    """The lines the public page shows: only what was posted (masked name, village, category, amount),
    and `stopped` where an upheld objection stopped the payment (the public sees it was handled)."""
    upheld = Objection.objects.filter(entry=OuterRef("pk"), state=Objection.State.UPHELD)
    entries = publicity.entries.select_related("region__parent").annotate(stopped=Exists(upheld)).order_by("line")
    if region_path:
        entries = entries.filter(region__path__startswith=region_path)
    return entries.only("line", "shown_name", "category", "amount", "region__name", "region__parent__name",
                        "region__path", "publicity_id")
