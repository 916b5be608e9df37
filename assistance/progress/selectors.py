"""A family's own view of its case (办理进度): the steps from 受理 to 到账, read from every stage.

What the page may show is decided here, once, for the page and the API alike: the masked name, the
application number, each step's state and date, the approved amount (the 公示 shows it to
everyone anyway), and what is needed from the family. Never an ID number, phone, bank account,
address, diagnosis, cost or household detail — and no text staff wrote (a refusal's reason, a
bank's message, an appeal's conclusion): such text may name household members or incomes, and
the code on a slip is held by whoever holds the slip. A refusal says that it was refused, where to
hear the reasons, and how to ask for a review.
"""
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from fundportal.lookups import code_matches
from fundportal.masking import mask_name
from fundportal.money import format_money
from fundportal.text import clean_code

from ..appeals.models import Appeal
from ..appeals.selectors import appeal_refusal
from ..applications.models import Application
from ..council.models import ResolutionItem
from ..council.selectors import items_in_force
from ..payouts.models import Payout
from ..publicity.models import Objection, PublicityEntry
from ..followup.stopping import DIED, MOVED

State = Application.State
DONE, CURRENT, NOT_REACHED, STOPPED, ACTION = "done", "current", "todo", "stopped", "action"
STATUSES = (DONE, CURRENT, NOT_REACHED, STOPPED, ACTION)
DECIDED = [State.APPROVED, State.PAID]
BEFORE_COSTING = [State.UNDER_REVIEW, State.NOT_ELIGIBLE, State.WITHDRAWN]
# The reasons the portal itself writes when it stops an application (never a text staff wrote).
STOP_REASONS = {DIED: _("对象已死亡"), MOVED: _("对象已迁出本市")}
ACCOUNT_NEEDED = gettext_noop("请申请人携带本人身份证和银行卡（存折）到红十字会窗口更正收款账户，更正后将重新发放。")


@dataclass(frozen=True)
class Step:
    """One step of the case: `status` is done, current (in hand), todo (NOT_REACHED), stopped
    (refused or halted) or action (waiting on the family: `needed` says what to do)."""

    key: str
    title: str
    status: str
    date: dt.date | None = None
    note: str = ""
    needed: str = ""


@dataclass(frozen=True)
class AppealShown:
    number: str
    kind: str
    state: str
    is_open: bool
    filed_on: dt.date
    due_on: dt.date
    decided_on: dt.date | None


@dataclass(frozen=True)
class ReviewSection:
    """复核: whether the family may ask now (else why not), and its requests so far."""

    can_ask: bool
    refusal: str | None
    appeals: tuple[AppealShown, ...] = ()


@dataclass(frozen=True)
class Progress:
    number: str
    masked_name: str
    steps: tuple[Step, ...]
    current: str
    review: ReviewSection = field(default_factory=lambda: ReviewSection(can_ask=False, refusal=None))
    amount: Decimal | None = None


def application_find_for_public(*, number: str, code: str) -> Application | None:
    """The application if number and code both match, else None — the same None, in the same time,
    for a wrong code and a missing number, so the look-up cannot tell which numbers exist."""
    application = Application.objects.filter(number=clean_code(number)).first()
    if not code_matches(application.lookup_code if application else None, code):
        return None
    return application


def _day(moment: dt.datetime | None) -> dt.date | None:
    return timezone.localtime(moment).date() if moment else None


def _money(amount: Decimal) -> str:
    return f"¥{format_money(amount)}"


@dataclass
class _Case:
    """Everything the steps read, fetched once."""

    application: Application
    item: ResolutionItem | None
    entry: PublicityEntry | None
    objections: list[Objection]
    payout: Payout | None
    reissued: bool
    day: dt.date

    @property
    def state(self) -> str:
        return self.application.state


def _case(application: Application, day: dt.date) -> _Case:
    application = Application.objects.select_related("person", "review_case").get(pk=application.pk)
    item = items_in_force().filter(application=application).select_related("resolution").first()
    entry = payout = None
    if item is not None:
        entry = PublicityEntry.objects.select_related("publicity").filter(item=item).first()
        payout = (Payout.objects.filter(application=application, item=item).select_related(
            "batch", "ledger_entry", "reversal_entry").order_by("-id").first())
    objections = list(entry.objections.order_by("id")) if entry else []
    return _Case(application=application, item=item, entry=entry, objections=objections, payout=payout,
                 reissued=payout is not None and payout.reissue_of_id is not None, day=day)


def _submitted(case: _Case) -> Step:
    return Step("submitted", _("受理"), DONE, _day(case.application.submitted_at), _("红十字会已受理您的申请"))


def _determined_on(case: _Case) -> dt.date | None:
    review = case.application.review_case
    return _day(review.determined_at) if review and review.determined_at else None


def _reopened_on(case: _Case, kind: str) -> dt.date | None:
    """The day a review (复核) of this kind last reopened the case, if one did."""
    appeal = (Appeal.objects.filter(application=case.application, kind=kind, state=Appeal.State.REOPENED)
              .order_by("-decided_at").first())
    return _day(appeal.decided_at) if appeal else None


def _eligibility(case: _Case) -> Step:
    title = _("资格审核")
    if case.state == State.UNDER_REVIEW:
        reopened = _reopened_on(case, Appeal.Kind.ELIGIBILITY)
        note = _("复核后，民政部门正在重新核查认定") if reopened else _("民政部门正在核查认定家庭情况")
        return Step("eligibility", title, CURRENT, reopened, note)
    if case.state == State.NOT_ELIGIBLE:
        return Step("eligibility", title, STOPPED, _determined_on(case), _("民政部门认定不符合低收入家庭条件"),
                    _("认定的具体原因可向户籍所在地乡镇（街道）民政部门了解；如有异议，可申请复核（见下方）。"))
    if case.state == State.WITHDRAWN:  # stopped by the applicant's death or move (followup/stopping.py)
        stopped = case.application.history.filter(state=State.WITHDRAWN).order_by("history_date").first()
        reason = case.application.withdrawn_reason
        note = (_("申请已终止办理（%(reason)s）") % {"reason": STOP_REASONS[reason]} if reason in STOP_REASONS
                else _("申请已终止办理"))
        return Step("eligibility", title, STOPPED, _day(stopped.history_date) if stopped else None, note,
                    _("如有疑问，请联系红十字会受理点。"))
    return Step("eligibility", title, DONE, _determined_on(case) or _day(case.application.submitted_at),
                _("民政部门认定符合低收入家庭条件"))




def _costing(case: _Case) -> Step:
    title = _("方案测算")
    if case.state in BEFORE_COSTING:
        return Step("costing", title, NOT_REACHED)
    application = case.application
    since = max(d for d in (_day(application.submitted_at), _determined_on(case),
                            _reopened_on(case, Appeal.Kind.AMOUNT)) if d)
    if case.state != State.READY:
        return Step("costing", title, DONE, since, _("已按救助方案测算救助金额"))
    if case.item is not None and case.item.decision == ResolutionItem.Decision.DEFER:
        note = _("理事会决议 %(number)s：本期预算不足，留待下次理事会审议") % {"number": case.item.resolution.number}
    elif case.item is not None:
        note = _("复核后重新测算，待理事会重新审议")
    else:
        note = _("待按救助方案测算救助金额，提交理事会审议")
    return Step("costing", title, CURRENT, since, note)


def _resolution(case: _Case) -> Step:
    title = _("理事会决议")
    item = case.item
    if case.state == State.REJECTED and item is not None:
        return Step("resolution", title, STOPPED, _day(item.resolution.signed_at),
                    _("理事会决议 %(number)s：不予救助") % {"number": item.resolution.number},
                    _("如有异议，可申请复核（见下方）。"))
    if case.state not in DECIDED or item is None:
        return Step("resolution", title, NOT_REACHED)
    return Step("resolution", title, DONE, _day(item.resolution.signed_at),
                _("理事会决议 %(number)s：批准救助金 %(amount)s") % {"number": item.resolution.number,
                                                                 "amount": _money(item.amount)})


def _publicity(case: _Case) -> Step:
    title = _("公示")
    if case.state not in DECIDED or case.item is None:
        return Step("publicity", title, NOT_REACHED)
    if not case.item.resolution.publicity_required:
        return Step("publicity", title, DONE, None, _("该决议作出于公示制度施行前，无需公示"))
    if case.entry is None:
        return Step("publicity", title, CURRENT, None, _("待公示"))
    publicity = case.entry.publicity
    period = {"start": f"{publicity.starts_on:%Y-%m-%d}", "end": f"{publicity.ends_on:%Y-%m-%d}"}
    upheld = [o for o in case.objections if o.state == Objection.State.UPHELD]
    if upheld:
        return Step("publicity", title, STOPPED, _day(upheld[-1].decided_at), _("公示期间收到异议，异议成立，停止发放"),
                    _("如有异议，可申请复核（见下方），或向户籍所在地乡镇（街道）民政部门了解情况。"))
    if any(o.is_open for o in case.objections):
        return Step("publicity", title, CURRENT, publicity.starts_on, _("公示期间收到异议，正在核查"))
    if case.day <= publicity.ends_on:
        return Step("publicity", title, CURRENT, publicity.starts_on, _("公示中：%(start)s 至 %(end)s") % period)
    return Step("publicity", title, DONE, publicity.ends_on, _("公示期 %(start)s 至 %(end)s，期满") % period)


def _sent(case: _Case) -> Step:
    title = _("发放")
    payout = case.payout
    if payout is None:
        if case.state == State.APPROVED:
            return Step("payout", title, CURRENT, None, _("公示期满，等待慈善总会发放"))
        return Step("payout", title, NOT_REACHED)
    if payout.state == Payout.State.PENDING:
        note = _("已更正收款账户，重新列入发放批次，即将提交银行") if case.reissued else _("已列入发放批次，即将提交银行")
        return Step("payout", title, CURRENT, _day(payout.batch.prepared_at), note)
    if payout.state == Payout.State.FAILED:
        return Step("payout", title, ACTION, _day(payout.settled_at), _("银行支付未成功，救助金未能转入收款账户"),
                    _(ACCOUNT_NEEDED))
    if payout.state == Payout.State.CANCELLED:
        return Step("payout", title, STOPPED, None, _("该笔发放已暂停"), _("请向红十字会窗口咨询。"))
    return Step("payout", title, DONE, _day(payout.batch.exported_at),
                _("救助金 %(amount)s 已提交银行转账") % {"amount": _money(payout.amount)})


def _received(case: _Case) -> Step:
    title = _("到账")
    payout = case.payout
    if payout is None or payout.state in (Payout.State.PENDING, Payout.State.FAILED, Payout.State.CANCELLED):
        return Step("paid", title, NOT_REACHED)
    if payout.state == Payout.State.SENT:
        return Step("paid", title, CURRENT, None, _("已提交银行，等待到账"))
    if payout.state == Payout.State.RETURNED:
        returned_on = payout.reversal_entry.booked_on if payout.reversal_entry else None
        return Step("paid", _("退回"), ACTION, returned_on, _("救助金被银行退回"), _(ACCOUNT_NEEDED))
    paid_on = (payout.ledger_entry.booked_on if payout.ledger_entry else None) or _day(payout.settled_at)
    return Step("paid", title, DONE, paid_on, _("救助金 %(amount)s 已到账") % {"amount": _money(payout.amount)})


def _later_steps_wait(steps: list[Step]) -> list[Step]:
    """Once a step is not done, the ones after it have not begun, whatever old rows say."""
    out, reached = [], True
    for step in steps:
        out.append(step if reached else Step(step.key, step.title, NOT_REACHED))
        reached = reached and step.status == DONE
    return out


def _review_section(case: _Case) -> ReviewSection:
    appeals = tuple(
        AppealShown(number=a.number, kind=a.get_kind_display(), state=a.get_state_display(),
                    is_open=a.state == Appeal.State.RECEIVED, filed_on=a.filed_on, due_on=a.due_on,
                    decided_on=_day(a.decided_at))
        for a in case.application.appeals.order_by("-id"))
    refusal = appeal_refusal(case.application, day=case.day)
    return ReviewSection(can_ask=refusal is None, refusal=refusal, appeals=appeals)


def progress_of(application: Application, *, day: dt.date | None = None) -> Progress:
    """The family's view of `application` on `day` (today): its steps, the one it stands at, its
    review section. Only what the module docstring allows."""
    case = _case(application, day or timezone.localdate())
    steps = _later_steps_wait([_submitted(case), _eligibility(case), _costing(case), _resolution(case),
                               _publicity(case), _sent(case), _received(case)])
    current = next((step.key for step in steps if step.status != DONE), steps[-1].key)
    amount = case.item.amount if case.item is not None and case.state in DECIDED else None
    return Progress(number=case.application.number, masked_name=mask_name(case.application.person.name),
                    steps=tuple(steps), current=current, review=_review_section(case), amount=amount)

