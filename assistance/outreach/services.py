"""Outreach (应助未助): opening a task for an eligible family that has not applied, recording each
contact by its village's officer, and closing the task — by an application, by a contact whose
result ends it, or by the person's death in the registry.

The task's one move (open → closed) goes through fundportal.states under the task's row lock.
Opening takes the person's row lock first, the lock application_submit takes too: an application
entered at the same moment is either seen (no task opens) or waits and then closes the new task.
"""
import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from fundportal.audit import records_actor
from fundportal.states import state_create, state_move
from fundportal.text import free_text_clean

from ..access import require
from ..intake.models import InsuredPerson
from ..intake.services import insured_person_moved_away_record
from ..review.models import ReviewCase
from . import selectors
from .models import Outcome, OutreachContact, OutreachTask

State = OutreachTask.State
Result = OutreachContact.Result
# The contact results that end the task, and the outcome each leaves. "Will apply" keeps it open;
# "unreachable" ends it only at the OUTREACH_UNREACHABLE_ATTEMPTS-th such contact.
ENDING_RESULTS = {Result.APPLIED: Outcome.APPLIED, Result.DECLINED: Outcome.DECLINED, Result.MOVED: Outcome.MOVED,
                  Result.DIED: Outcome.DIED}
REASON_MAX = 2000


# ------------------------------------------------------------------------------------------ open

def outreach_open_due(*, today: dt.date | None = None, acting_user=None) -> int:
    """The daily run (Celery beat): every eligible family decided OUTREACH_AFTER_DAYS days ago or
    more, with no application for that year, gets its task, once; open tasks of people the registry
    now records as dead are closed. Each family in its own short transaction, so a run stopped
    halfway is finished by the next one, and two runs at once open each task once.
    Returns the number of tasks opened."""
    today = today or timezone.localdate()
    opened = sum(_open_one(case_id, today=today, acting_user=acting_user) is not None
                 for case_id in list(selectors.cases_due_for_outreach(day=today).values_list("pk", flat=True)))
    outreach_close_deceased(acting_user=acting_user)
    return opened


@records_actor
@transaction.atomic
def _open_one(case_id: int, *, today: dt.date, acting_user=None) -> OutreachTask | None:
    case = ReviewCase.objects.get(pk=case_id)
    # The lock application_submit takes: whichever comes second sees what the first committed.
    person = InsuredPerson.objects.select_for_update().get(pk=case.person_id)
    if (case.state != ReviewCase.State.ELIGIBLE or OutreachTask.objects.filter(review_case_id=case_id).exists()
            or selectors.application_exists(person_id=person.pk, year=case.year)):
        return None
    try:
        with transaction.atomic():  # the one-to-one's unique index is the last word on "once"
            task = state_create(
                OutreachTask, acting_user=acting_user, review_case=case, year=case.year, region_id=case.region_id,
                opened_at=timezone.now(), due_on=today + dt.timedelta(days=settings.OUTREACH_CONTACT_DAYS),
                reason=f"认定符合条件已满 {settings.OUTREACH_AFTER_DAYS} 天，尚未提出救助申请")
    except IntegrityError:
        return None
    if person.is_deceased:
        _close(task, Outcome.DIED, reason="参保登记为已死亡，不再跟进", acting_user=acting_user)
    return task


def outreach_close_deceased(*, acting_user=None) -> int:
    """Close, as died, the open tasks of people the registry now records as dead."""
    closed = 0
    for pk in list(selectors.open_tasks_of_deceased().values_list("pk", flat=True)):
        with transaction.atomic():
            task = OutreachTask.objects.select_for_update().get(pk=pk)
            if task.state == State.OPEN:
                _close(task, Outcome.DIED, reason="参保登记为已死亡，不再跟进", acting_user=acting_user)
                closed += 1
    return closed


def _close(task: OutreachTask, outcome: str, *, reason: str, acting_user) -> OutreachTask:
    """The move itself (the task already locked by this transaction)."""
    return state_move(task, State.CLOSED, acting_user=acting_user, reason=reason, outcome=outcome,
                      closed_at=timezone.now())


# -------------------------------------------------------------------------------------- contacts

@records_actor
@transaction.atomic
def outreach_contact_record(*, task: OutreachTask, acting_user, contacted_on: dt.date | None, method: str,
                            result: str, reason: str = "") -> OutreachContact:
    """A village officer records one contact with the family (by phone, a visit, …) and what came
    of it. Applied, declined (with the reason), moved away or died closes the task; not reached
    closes it at the OUTREACH_UNREACHABLE_ATTEMPTS-th time; "will apply" keeps it open."""
    require(acting_user, "record_outreachcontact", "登记应助未助联系情况")
    task = OutreachTask.objects.select_for_update().select_related("region").get(pk=task.pk)
    if acting_user.region is None or not acting_user.region.contains(task.region):
        raise PermissionDenied("该跟进任务不在您的服务区域内")
    if task.state == State.CLOSED:
        raise ValidationError("该跟进任务已于 %(day)s 办结（%(outcome)s），不能再登记联系情况", code="closed",
                              params={"day": f"{timezone.localtime(task.closed_at):%Y-%m-%d}",
                                      "outcome": task.get_outcome_display()})
    reason = _contact_checked(task, contacted_on=contacted_on, method=method, result=result, reason=reason)
    contact = OutreachContact(task=task, contacted_on=contacted_on, method=method, result=result, reason=reason,
                              recorded_by=acting_user, recorded_at=timezone.now())
    contact._change_reason = "登记联系情况"
    contact.save(force_insert=True)
    outcome = ENDING_RESULTS.get(result)
    attempts = settings.OUTREACH_UNREACHABLE_ATTEMPTS
    if result == Result.UNREACHABLE and selectors.unreachable_count(task) >= attempts:
        outcome = Outcome.UNREACHABLE
    if outcome:
        said = contact.get_result_display() if outcome != Outcome.UNREACHABLE else f"第 {attempts} 次未联系上"
        _close(task, outcome, reason=f"联系结果：{said}", acting_user=acting_user)
    if outcome == Outcome.MOVED:  # the registry learns it too: the family's other pending work stops
        insured_person_moved_away_record(person_id=task.review_case.person_id, acting_user=acting_user,
                                         reason="应助未助联系：村（社区）核实已迁出本市")
    return contact


def _contact_checked(task: OutreachTask, *, contacted_on, method: str, result: str, reason: str) -> str:
    """The contact's fields checked, each refusal in Chinese under its field; returns the reason
    cleaned of what no one sees (zero-width characters and the like)."""
    errors = {}
    opened_on = timezone.localtime(task.opened_at).date()
    if contacted_on is None:
        errors["contacted_on"] = "请填写联系日期"
    elif contacted_on > timezone.localdate():
        errors["contacted_on"] = "联系日期不能晚于今天"
    elif contacted_on < opened_on:
        errors["contacted_on"] = f"联系日期不能早于跟进任务生成之日（{opened_on:%Y-%m-%d}）"
    if method not in OutreachContact.Method.values:
        errors["method"] = "请选择联系方式"
    if result not in Result.values:
        errors["result"] = "请选择联系结果"
    reason = free_text_clean(reason or "")
    if result == Result.DECLINED and not reason:
        errors["reason"] = "放弃申请须写明原因"
    elif len(reason) > REASON_MAX:
        errors["reason"] = f"说明最多 {REASON_MAX} 个字，当前 {len(reason)} 个字"
    if result == Result.APPLIED and "result" not in errors and not selectors.application_exists(
            person_id=task.review_case.person_id, year=task.year):
        # The task closes by itself when the Red Cross enters the application: until then the
        # family has not applied, whatever it says.
        errors["result"] = "系统中尚无该户本年度的救助申请：受理后跟进任务自动办结；如已告知其申请，请选择“已告知，将提出申请”"
    if errors:
        raise ValidationError(errors)
    return reason


# ------------------------------------------------------------------------------ an application

def outreach_close_for_application(*, application) -> OutreachTask | None:
    """An application arrived for the person and year: their open task closes as applied. Called
    by application_submit inside its transaction (after its lock on the person). `application`
    is the applications stage's row (person_id, year, number, entered_by): outreach comes before
    that stage and does not import it."""
    task = (OutreachTask.objects.select_for_update(of=("self",))
            .filter(review_case__person_id=application.person_id, year=application.year, state=State.OPEN).first())
    if task is None:
        return None
    return _close(task, Outcome.APPLIED, reason=f"已受理救助申请 {application.number}",
                  acting_user=application.entered_by)
