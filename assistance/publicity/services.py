"""The writes of 公示 and objections (异议): posting at signing, an objection sent online or
recorded by staff, its investigation and decision.

An objection holds its entry: the payout batch leaves held entries out (assistance/payouts/
services.py, through selectors.items_held). Both an objection and a batch lock the entry's
resolution item, so an objection recorded while a batch is made either holds the entry (the batch
leaves it out) or finds the batch made and is refused — never an objection against money already
on its way. Whoever decided the case (its eligibility, or signed the resolution) may not decide
an objection against it.
"""
import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from fundportal.audit import records_actor
from fundportal.dates import add_working_days
from fundportal.identifiers import lookup_code_new
from fundportal.masking import mask_name
from fundportal.states import state_create, state_move
from fundportal.text import free_text_checked

from ..access import require
from ..council.models import Resolution, ResolutionItem
from ..notify import notify_publicity
from .models import CaseSequence, Objection, Publicity, PublicityEntry

REASON_MIN, REASON_MAX = 5, 500
NAME_MAX, CONTACT_MAX = 50, 50


def case_number_next(prefix: str, year: int) -> str:
    """YY202300001 (prefix, year, five digits): the next number of a kind of public case in a year,
    without gaps."""
    sequence, _created = CaseSequence.objects.select_for_update().get_or_create(prefix=prefix, year=year)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return f"{prefix}{year}{sequence.last:05d}"


def _category(item: ResolutionItem) -> str:
    case = item.application.review_case
    return case.category.name if case and case.category else "—"


def publicity_post(*, resolution: Resolution, acting_user) -> Publicity | None:
    """Post a signed payouts resolution's approved items for PUBLICITY_DAYS calendar days from
    today (both ends included). Called by the signing, in its transaction. None when nothing was
    approved (nothing to pay, nothing to post)."""
    items = list(resolution.items.filter(decision=ResolutionItem.Decision.APPROVE)
                 .select_related("application__person", "application__region",
                                 "application__review_case__category")
                 .order_by("application__region__path", "application__number"))
    if not items:
        return None
    days = settings.PUBLICITY_DAYS
    starts_on = timezone.localdate()
    publicity = Publicity.objects.create(
        resolution=resolution, starts_on=starts_on, ends_on=starts_on + dt.timedelta(days=days - 1), days=days,
        posted_by=acting_user, posted_at=timezone.now())
    PublicityEntry.objects.bulk_create([
        PublicityEntry(publicity=publicity, item=item, line=line, region=item.application.region,
                       shown_name=mask_name(item.application.person.name), category=_category(item),
                       amount=item.amount)
        for line, item in enumerate(items, start=1)])
    for item in items:
        notify_publicity(item.application, starts_on=publicity.starts_on, ends_on=publicity.ends_on,
                         publicity_id=publicity.pk)
    return publicity


def _entry_locked(entry: PublicityEntry) -> PublicityEntry:
    """The entry, its resolution item locked: the batch locks the same row (lock order: item, then
    the objection's number sequence)."""
    ResolutionItem.objects.select_for_update().filter(pk=entry.item_id).values_list("pk").get()
    return PublicityEntry.objects.select_related("publicity__resolution", "region").get(pk=entry.pk)


def _text(value: str, *, label: str, max_length: int, min_length: int = 0) -> str:
    """Cleaned of what no one sees, checked by what one does (errors keyed by the label)."""
    return free_text_checked(value, field=label, label=label, min_length=min_length, max_length=max_length)


def _create(entry: PublicityEntry, *, channel: str, content: str, received_on: dt.date, objector_name: str,
            contact: str, acting_user) -> Objection:
    return state_create(
        Objection, acting_user=acting_user, reason=f"收到公示异议（{Objection.Channel(channel).label}）",
        number=case_number_next("YY", received_on.year), lookup_code=lookup_code_new(), entry=entry,
        region=entry.region, channel=channel, objector_name=objector_name, contact=contact,
        content=content, received_on=received_on,
        due_on=add_working_days(received_on, settings.OBJECTION_WORKING_DAYS), recorded_by=acting_user)


@transaction.atomic
def objection_submit_online(*, entry: PublicityEntry, content: str, objector_name: str = "",
                            contact: str = "") -> Objection:
    """Anyone, no login, while the 公示 is open. The caller (the public page) rate-limits."""
    content = _text(content, label="异议内容", min_length=REASON_MIN, max_length=REASON_MAX)
    objector_name = _text(objector_name, label="姓名", max_length=NAME_MAX)
    contact = _text(contact, label="联系方式", max_length=CONTACT_MAX)
    entry = _entry_locked(entry)
    today = timezone.localdate()
    publicity = entry.publicity
    if not publicity.is_open_on(today):
        raise ValidationError(f"该公示的异议期为 {publicity.starts_on:%Y-%m-%d} 至 {publicity.ends_on:%Y-%m-%d}，"
                              "现在不在异议期内，不能在网上提出异议")
    return _create(entry, channel=Objection.Channel.ONLINE, content=content, received_on=today,
                   objector_name=objector_name, contact=contact, acting_user=None)


def _in_area(user, region) -> bool:
    """Officers act in their own area; a role without one (a clerk at the city's counter) city-wide."""
    if not user.has_perm("assistance.investigate_objection"):
        return True
    return user.region is not None and region.path.startswith(user.region.path)


@records_actor
@transaction.atomic
def objection_record(*, entry: PublicityEntry, channel: str, content: str, received_on: dt.date, acting_user,
                     objector_name: str = "", contact: str = "") -> Objection:
    """An objection received by phone, letter or in person, recorded by staff. Received within the
    公示 period, and recorded before the entry's payment was prepared."""
    require(acting_user, "add_objection", "登记公示异议")
    if channel not in Objection.Channel.values or channel == Objection.Channel.ONLINE:
        raise ValidationError({"channel": "请选择电话、信函或来访"})
    content = _text(content, label="异议内容", min_length=REASON_MIN, max_length=REASON_MAX)
    objector_name = _text(objector_name, label="姓名", max_length=NAME_MAX)
    contact = _text(contact, label="联系方式", max_length=CONTACT_MAX)
    entry = _entry_locked(entry)
    if not _in_area(acting_user, entry.region):
        raise PermissionDenied("该公示名单不在您的辖区内")
    publicity = entry.publicity
    if received_on > timezone.localdate():
        raise ValidationError({"received_on": "收到日期不能晚于今天"})
    if not publicity.is_open_on(received_on):
        raise ValidationError({"received_on": f"该公示的异议期为 {publicity.starts_on:%Y-%m-%d} 至 "
                                              f"{publicity.ends_on:%Y-%m-%d}，收到日期不在其中"})
    if entry.item.payouts.exists():
        raise ValidationError("该笔救助已生成支付，不能再登记公示异议；如有情况请按信访途径处理")
    return _create(entry, channel=channel, content=content, received_on=received_on, objector_name=objector_name,
                   contact=contact, acting_user=acting_user)


def _objection_locked(objection: Objection, acting_user) -> Objection:
    locked = (Objection.objects.select_for_update(of=("self",))
              .select_related("entry__item__application__review_case", "entry__publicity__resolution", "region")
              .get(pk=objection.pk))
    if not _in_area(acting_user, locked.region) or not acting_user.has_perm("assistance.view_objection"):
        raise PermissionDenied("该异议不在您的辖区内")
    return locked


@records_actor
@transaction.atomic
def objection_investigate(*, objection: Objection, acting_user, investigation: str,
                          visited_on: dt.date | None = None) -> Objection:
    """The area's officers record what they found (notes, the visit)."""
    require(acting_user, "investigate_objection", "登记异议核查情况")
    investigation = _text(investigation, label="核查情况", min_length=REASON_MIN, max_length=2000)
    locked = _objection_locked(objection, acting_user)
    if visited_on is not None and not locked.received_on <= visited_on <= timezone.localdate():
        raise ValidationError({"visited_on": "入户核查日期应在收到异议之日与今天之间"})
    return state_move(locked, Objection.State.INVESTIGATING, acting_user=acting_user, reason="登记核查情况",
                      investigation=investigation, visited_on=visited_on, investigated_by=acting_user)


def deciders_of(entry: PublicityEntry) -> set[int]:
    """Who decided the case behind an entry: the officer who determined eligibility, the secretary
    who signed the resolution."""
    case = entry.item.application.review_case
    return {pk for pk in (case.determined_by_id if case else None, entry.publicity.resolution.signed_by_id) if pk}


@records_actor
@transaction.atomic
def objection_decide(*, objection: Objection, acting_user, upheld: bool, reason: str) -> Objection:
    """成立 (the entry is not paid: paying otherwise takes an amending resolution) or 不成立 (the entry
    may be paid, if nothing else holds it), with the reason the objector will read."""
    require(acting_user, "decide_objection", "办结公示异议")
    reason = _text(reason, label="处理结果及理由", min_length=REASON_MIN, max_length=REASON_MAX)
    locked = _objection_locked(objection, acting_user)
    if acting_user.pk in deciders_of(locked.entry):
        raise PermissionDenied("您参与了该户原决定（资格认定或签署决议），不能办结针对它的异议，请由其他人员办理")
    to = Objection.State.UPHELD if upheld else Objection.State.DISMISSED
    return state_move(locked, to, acting_user=acting_user, reason=f"{to.label}：{reason}",
                      decision_reason=reason, decided_by=acting_user, decided_at=timezone.now())
