"""The council's writes: meetings, draft resolutions, and signing (the costing is costing.py, the
schemes' own writes schemes.py).

A payouts resolution is drafted from the applications ready for costing: each is costed by the
chosen (approved) scheme, net of what this year's decisions already granted the person, and the
list is fitted to the fund's available balance as the resolution says (pro rata, or in order).
The draft is a proposal the secretary can recompute and adjust (reject an application with a
reason). Signing recomputes everything under locks and refuses if anything moved since the draft
was shown: what the council signs is exactly what it saw, and two resolutions can never together
breach a person's annual cap or the fund's balance. Once signed, the database refuses any change
(migration 0012); a correction is a new resolution that amends it.
"""
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from fundportal.audit import records_actor
from fundportal.history import history_record_update
from fundportal.models import FundAccount
from fundportal.money import money_label
from fundportal.services import fund_account_main
from fundportal.states import states_move

from ..access import require
from ..applications.models import Application
from ..applications.moves import applications_move
from ..intake.models import InsuredPerson
from ..notify import notify_approved
from ..payouts.models import Payout
from ..publicity.services import publicity_post
from ..review.rechecks import eligibility_lapsed, lapsed_refusal
from .costing import Line, lines_costed, resolution_applications, resolution_available, resolution_lines
from .models import Attendance, CouncilMember, Meeting, Resolution, ResolutionItem, ResolutionSequence, Scheme
from .selectors import ZERO, budget_now, granted_this_year, quorum_for

Decision = ResolutionItem.Decision


# ------------------------------------------------------------------------------------------ meetings

def _attendance_checked(attendance: list[tuple[CouncilMember, str]]) -> list[tuple[CouncilMember, str]]:
    seen, problems = set(), []
    for member, representative in attendance:
        if member.pk in seen:
            problems.append(f"{member}重复登记")
        if not representative.strip():
            problems.append(f"请填写{member}的出席代表")
        seen.add(member.pk)
    if problems:
        raise ValidationError({"attendance": problems})
    return [(member, representative.strip()) for member, representative in attendance]


@records_actor
@transaction.atomic
def meeting_record(*, acting_user, held_on, title: str, agenda: str, attendance: list[tuple[CouncilMember, str]],
                   place: str = "", minutes: str = "") -> Meeting:
    """A council meeting with the member agencies present and who represented each."""
    require(acting_user, "add_meeting", "记录理事会会议")
    checked = _attendance_checked(attendance)
    meeting = Meeting(held_on=held_on, title=title.strip(), place=place.strip(), agenda=agenda.strip(),
                      minutes=minutes.strip(), recorded_by=acting_user)
    meeting.full_clean(exclude=["recorded_by"])
    meeting.save()
    bulk_create_with_history([Attendance(meeting=meeting, member=member, representative=representative)
                              for member, representative in checked], Attendance, default_user=acting_user)
    return meeting


@records_actor
@transaction.atomic
def meeting_update(*, meeting: Meeting, acting_user, attendance: list[tuple[CouncilMember, str]] | None = None,
                   **changes) -> Meeting:
    """Correct a meeting's record — until it has adopted a resolution: then the record is what
    the quorum was checked against, and stays."""
    require(acting_user, "change_meeting", "修改理事会会议记录")
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.resolutions.filter(signed_at__isnull=False).exists():
        raise ValidationError("本次会议已有签署的决议，会议记录不能再修改")
    for field, value in changes.items():
        if field not in ("held_on", "title", "place", "agenda", "minutes"):
            raise ValueError(f"{field} is not a meeting field one may change")
        setattr(meeting, field, value.strip() if isinstance(value, str) else value)
    meeting.full_clean(exclude=["recorded_by"])
    meeting.save()
    if attendance is not None:
        checked = _attendance_checked(attendance)
        meeting.attendance.all().delete()
        bulk_create_with_history([Attendance(meeting=meeting, member=member, representative=representative)
                                  for member, representative in checked], Attendance, default_user=acting_user)
    return meeting


def _write_items(resolution: Resolution, lines: list[Line]) -> None:
    resolution.items.all().delete()
    # Every service that writes items is a records_actor: the acting user is the history's author.
    bulk_create_with_history([
        ResolutionItem(resolution=resolution, application=line.application, decision=line.decision,
                       reason=line.reason, computed=line.computed, amount=line.amount, breakdown=line.breakdown,
                       by_council=line.by_council) for line in lines], ResolutionItem)


# --------------------------------------------------------------------------------------------- drafts

def _draft_checked(resolution: Resolution) -> Resolution:
    locked = Resolution.objects.select_for_update().select_related("scheme").get(pk=resolution.pk)
    if not Resolution.SIGNING.allows(locked.state, Resolution.State.SIGNED):
        raise ValidationError(f"决议 {locked.number} 已签署，不能修改：如需更正，请起草新的决议予以更正")
    return locked


def _scheme_usable(scheme: Scheme) -> None:
    if not scheme.is_approved:
        raise ValidationError("该救助方案尚未经理事会批准，不能据以测算")


def _in_other_drafts(resolution_id: int | None):
    return ResolutionItem.objects.filter(application=OuterRef("pk"), resolution__signed_at__isnull=True).exclude(
        resolution_id=resolution_id)


@records_actor
@transaction.atomic
def resolution_draft_scheme(*, meeting: Meeting, scheme: Scheme, acting_user, title: str = "",
                            text: str = "") -> Resolution:
    """A draft resolution approving a scheme version."""
    require(acting_user, "add_resolution", "起草理事会决议")
    if scheme.is_approved:
        raise ValidationError("该方案已经批准，无需再次决议")
    resolution = Resolution(meeting=meeting, kind=Resolution.Kind.SCHEME, scheme=scheme, created_by=acting_user,
                            title=title.strip() or f"关于批准{scheme}的决议", text=text.strip())
    resolution.full_clean(exclude=["created_by"])
    resolution.save()
    return resolution


@records_actor
@transaction.atomic
def resolution_draft_payouts(*, meeting: Meeting, scheme: Scheme, acting_user, title: str = "", text: str = "",
                             over_budget: str = Resolution.OverBudget.PRO_RATA,
                             order: str = Resolution.Order.SUBMITTED, amends: Resolution | None = None,
                             applications: list[Application] | None = None) -> Resolution:
    """A draft approving a list of applications with their amounts.

    Without `applications`: every application of the scheme's year that is ready for costing and
    not in another draft. An amendment takes applications the amended resolution decided, whose
    money has not gone to the bank.
    """
    require(acting_user, "add_resolution", "起草理事会决议")
    _scheme_usable(scheme)
    if amends is not None:
        chosen = _amendable(amends, applications)
    else:
        queryset = (Application.objects.filter(year=scheme.year, state=Application.State.READY)
                    .exclude(Exists(_in_other_drafts(None))))
        if applications is not None:
            queryset = queryset.filter(pk__in=[a.pk for a in applications])
            if queryset.count() != len({a.pk for a in applications}):
                raise ValidationError(f"所选申请须为 {scheme.year} 年待测算、且未列入其他决议草案的申请")
        chosen = list(queryset.select_related("review_case__category").prefetch_related("extra_costs"))
        chosen = _eligibility_in_force(chosen, chosen_by_hand=applications is not None)
    if not chosen:
        raise ValidationError(f"没有可列入决议的申请：{scheme.year} 年待测算的申请均已列入其他决议草案、"
                              "低收入资格已到期待复审，或尚无")
    resolution = Resolution(meeting=meeting, kind=Resolution.Kind.PAYOUTS, scheme=scheme, amends=amends,
                            over_budget=over_budget, order=order, created_by=acting_user, text=text.strip(),
                            title=title.strip() or (f"关于更正{amends.number}的决议" if amends else
                                                    f"关于批准{scheme.year}年度第{_batch_ordinal(scheme.year)}批救助名单的决议"))
    resolution.full_clean(exclude=["created_by"])
    resolution.save()
    _write_items(resolution, lines_costed(scheme=scheme, applications=chosen, over_budget=over_budget, order=order,
                                          available=resolution_available(resolution, chosen), rejected={}))
    return resolution


def _eligibility_in_force(applications: list[Application], *, chosen_by_hand: bool) -> list[Application]:
    """A family whose eligibility lapsed is not costed until civil affairs re-checks it: left out
    of a list drawn up by the portal (named when nothing else is left), refused in a list chosen by hand."""
    lapsed = eligibility_lapsed([a.person_id for a in applications])
    kept = [a for a in applications if a.person_id not in lapsed]
    if lapsed and (chosen_by_hand or not kept):  # by hand, or nothing else left: say which and why
        raise ValidationError([lapsed_refusal(a.number, lapsed[a.person_id]) for a in applications
                               if a.person_id in lapsed])
    return kept


def _batch_ordinal(year: int) -> str:
    """The year's next list, in Chinese numerals (第一批, 第二批 …) for the default title."""
    signed = Resolution.objects.filter(kind=Resolution.Kind.PAYOUTS, scheme__year=year, amends__isnull=True,
                                       signed_at__isnull=False).count()
    return "一二三四五六七八九十"[signed] if signed < 10 else str(signed + 1)


def _amendable(amends: Resolution, applications: list[Application] | None) -> list[Application]:
    if not amends.is_signed or amends.kind != Resolution.Kind.PAYOUTS:
        raise ValidationError("只能更正已签署的救助名单决议")
    queryset = Application.objects.filter(resolution_items__resolution=amends)
    if applications is not None:
        queryset = queryset.filter(pk__in=[a.pk for a in applications])
    gone = Payout.objects.filter(application=OuterRef("pk"), state__in=[Payout.State.SENT, Payout.State.PAID])
    chosen = list(queryset.exclude(Exists(gone)).exclude(Exists(_in_other_drafts(None)))
                  .select_related("review_case__category").prefetch_related("extra_costs"))
    if applications is not None and len(chosen) != len({a.pk for a in applications}):
        raise ValidationError("所选申请中有的不在被更正的决议中、已提交银行支付或已列入其他决议草案")
    if not chosen:
        raise ValidationError(f"决议 {amends.number} 中的申请均已提交银行支付或已列入其他决议草案，没有可更正的")
    return chosen


@records_actor
@transaction.atomic
def resolution_recompute(*, resolution: Resolution, acting_user) -> Resolution:
    """Cost the draft again with today's figures and balance (the council's rejections stay)."""
    require(acting_user, "change_resolution", "修改理事会决议草案")
    resolution = _draft_checked(resolution)
    if resolution.kind == Resolution.Kind.PAYOUTS:
        _write_items(resolution, resolution_lines(resolution, resolution_applications(resolution)))
    return resolution


@records_actor
@transaction.atomic
def resolution_item_reject(*, item: ResolutionItem, reason: str, acting_user) -> Resolution:
    """The council rejects one application of a draft, with its reason; the rest is refitted."""
    require(acting_user, "change_resolution", "修改理事会决议草案")
    resolution = _draft_checked(item.resolution)
    if not reason.strip():
        raise ValidationError({"reason": "不予救助须写明理由"})
    ResolutionItem.objects.filter(pk=item.pk).update(decision=Decision.REJECT, reason=reason.strip()[:200],
                                                     computed=ZERO, amount=ZERO, by_council=True)
    history_record_update(ResolutionItem, [item.pk], reason="理事会决定不予救助")
    _write_items(resolution, resolution_lines(resolution, resolution_applications(resolution)))
    return resolution


@records_actor
@transaction.atomic
def resolution_item_restore(*, item: ResolutionItem, acting_user) -> Resolution:
    """Undo the council's rejection of one application in a draft."""
    require(acting_user, "change_resolution", "修改理事会决议草案")
    resolution = _draft_checked(item.resolution)
    ResolutionItem.objects.filter(pk=item.pk).update(by_council=False)
    history_record_update(ResolutionItem, [item.pk], reason="撤销理事会的不予救助决定")
    _write_items(resolution, resolution_lines(resolution, resolution_applications(resolution)))
    return resolution


@records_actor
@transaction.atomic
def resolution_delete_draft(*, resolution: Resolution, acting_user) -> None:
    require(acting_user, "delete_resolution", "删除理事会决议草案")
    resolution = _draft_checked(resolution)
    resolution.items.all().delete()
    resolution.delete()


# --------------------------------------------------------------------------------------------- signing

def _changes(stored: list[ResolutionItem], lines: list[Line]) -> list[str]:
    """What differs between the draft the council saw and the figures now, in Chinese."""
    now = {line.application.pk: line for line in lines}
    changes = []
    for item in stored:
        line = now.get(item.application_id)
        if line is None:
            changes.append(f"申请 {item.application.number} 已不能列入")
        elif (line.decision, line.amount, line.computed) != (item.decision, item.amount, item.computed):
            changes.append(f"申请 {item.application.number}：草案为{item.get_decision_display()} "
                           f"{money_label(item.amount)}，现为{Decision(line.decision).label} {money_label(line.amount)}")
    return changes


def _cap_breaches(resolution: Resolution, stored: list[ResolutionItem]) -> list[str]:
    """Amounts in the draft that, with what the year's signed decisions granted, pass the cap."""
    breaches = []
    for item in stored:
        if item.decision != Decision.APPROVE:
            continue
        granted = granted_this_year(person_id=item.application.person_id, year=item.application.year,
                                    excluding_application_id=item.application_id)
        if granted + item.amount > resolution.scheme.annual_cap:
            breaches.append(f"申请 {item.application.number}：本人本年度已批准 {money_label(granted)}，"
                            f"本次 {money_label(item.amount)}，"
                            f"两批合计超出年度救助限额 {money_label(resolution.scheme.annual_cap)}")
    return breaches


def _separation(resolution: Resolution, acting_user) -> None:
    if resolution.items.filter(application__entered_by=acting_user).exists():
        raise PermissionDenied("决议中有您本人录入的申请：同一案件的录入、批准和支付须由不同的人办理")


def _next_number(year: int) -> int:
    sequence, _created = ResolutionSequence.objects.select_for_update().get_or_create(year=year)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return sequence.last


@records_actor
@transaction.atomic
def resolution_sign(*, resolution: Resolution, acting_user) -> Resolution:
    """The secretary signs what the meeting adopted. Quorum checked; everything recomputed under
    locks and compared with the draft; then numbered and, from this moment, immutable."""
    require(acting_user, "sign_resolution", "签署理事会决议")
    # The fund account's row lock serialises signings with each other and with payments, so the
    # balance and the amounts held cannot move while this resolution is checked.
    FundAccount.objects.select_for_update().get(pk=fund_account_main().pk)
    resolution = _draft_checked(resolution)
    quorum = quorum_for(resolution.meeting)
    if not quorum.met:
        raise ValidationError(f"出席会议的成员单位不足法定人数：{quorum}")
    approved = requested = ZERO
    if resolution.kind == Resolution.Kind.SCHEME:
        _scheme_usable_for_signing(resolution.scheme)
    else:
        _scheme_usable(resolution.scheme)
        _separation(resolution, acting_user)
        applications = resolution_applications(resolution, lock=True)
        list(InsuredPerson.objects.select_for_update().filter(pk__in=[a.person_id for a in applications])
             .order_by("pk").values_list("pk"))  # one person's decisions are signed one at a time
        stored = list(resolution.items.select_related("application"))
        problems = _states_problems(resolution, applications) or _cap_breaches(resolution, stored)
        problems = problems or _changes(stored, resolution_lines(resolution, applications))
        if problems:
            raise ValidationError(["签署前重新核对，以下内容与草案不一致，请重新测算后提交理事会：", *problems])
        approved = sum((item.amount for item in stored), start=ZERO)
        requested = sum((item.computed for item in stored if item.decision != Decision.REJECT), start=ZERO)
    year = resolution.meeting.held_on.year
    resolution.available = budget_now().available if resolution.kind == Resolution.Kind.PAYOUTS else None
    resolution.year, resolution.sequence = year, _next_number(year)
    resolution.requested, resolution.approved = requested, approved
    resolution.quorum = str(quorum)[:100]
    _signed(resolution, acting_user)
    if resolution.kind == Resolution.Kind.SCHEME:
        Scheme.objects.filter(pk=resolution.scheme_id).update(approved_at=resolution.signed_at)
        history_record_update(Scheme, [resolution.scheme_id], reason=f"理事会决议 {resolution.number} 批准")
    else:
        _apply_decisions(resolution)
        publicity_post(resolution=resolution, acting_user=acting_user)
    return resolution


def _signed(resolution: Resolution, acting_user) -> None:
    """The one move of Resolution.SIGNING, draft → signed, and the only place signed_at and
    signed_by are written (the resolution is locked and was read again as a draft by _draft_checked)."""
    resolution.signed_by, resolution.signed_at = acting_user, timezone.now()
    resolution._change_reason = "签署"
    resolution.save()


def _scheme_usable_for_signing(scheme: Scheme) -> None:
    if Scheme.objects.filter(pk=scheme.pk, approved_at__isnull=False).exists():
        raise ValidationError("该方案已经批准")


def _states_problems(resolution: Resolution, applications: list[Application]) -> list[str]:
    if resolution.amends_id is not None:
        sent = Payout.objects.filter(application__in=applications, state__in=[Payout.State.SENT, Payout.State.PAID])
        return [f"申请 {p.application.number} 的救助金已提交银行，不能再更正" for p in sent.select_related("application")]
    lapsed = eligibility_lapsed([a.person_id for a in applications])
    return [f"申请 {a.number} 现为“{a.get_state_display()}”，不再待测算" for a in applications
            if a.state != Application.State.READY] + [
        lapsed_refusal(a.number, lapsed[a.person_id]) for a in applications if a.person_id in lapsed]


STATE_FOR = {Decision.APPROVE: Application.State.APPROVED, Decision.REJECT: Application.State.REJECTED,
             Decision.DEFER: Application.State.READY}


def _apply_decisions(resolution: Resolution) -> None:
    """Applications take their decision (a bounded number of queries, however long the list); an
    amendment cancels the replaced, unsent payouts."""
    items = list(resolution.items.values_list("application_id", "decision"))
    for decision, state in STATE_FOR.items():
        chosen = [application_id for application_id, made in items if made == decision]
        if chosen:
            applications_move(Application.objects.filter(pk__in=chosen), state, acting_user=resolution.signed_by,
                              reason=f"理事会决议 {resolution.number}：{Decision(decision).label}")
    approved = resolution.items.filter(decision=Decision.APPROVE).select_related("application__person")
    for item in approved:
        notify_approved(item.application, amount=item.amount, resolution_id=resolution.pk)
    if resolution.amends_id is not None:
        reason = f"决议 {resolution.number} 更正了该笔救助"
        states_move(Payout.objects.filter(application__in=[application_id for application_id, _ in items],
                                          state=Payout.State.PENDING), Payout.State.CANCELLED,
                    acting_user=resolution.signed_by, reason=reason, cancel_reason=reason)
