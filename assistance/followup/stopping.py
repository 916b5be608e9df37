"""Deaths and moves stop pending work (终止). A settlement file's status column (or an officer's
record) marks a person dead or moved away; then nothing should wait on them: their open review
cases are closed, their applications not yet decided are withdrawn, their open outreach and
follow-up tasks closed — each with the reason written on it and in its history. Payouts to the
deceased are already refused at export (payouts/fraud.py); decided applications stay as decided.

Run after every settlement import (intake sends the task by name) and daily; it only ever finds
the people that still have pending work, so running it again changes nothing.
"""
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from fundportal.states import state_move, states_move

from ..applications.models import Application
from ..intake.models import InsuredPerson
from ..outreach.models import Outcome as OutreachOutcome
from ..outreach.models import OutreachTask
from ..review.models import ReviewCase
from .models import FollowUp

DIED, MOVED = "对象已死亡", "对象已迁出本市"
PENDING_APPLICATION_STATES = [Application.State.UNDER_REVIEW, Application.State.READY]


def _reason(person: InsuredPerson) -> str:
    return DIED if person.is_deceased else MOVED


def people_with_pending_work():
    """Dead or moved people who still have something open."""
    gone = Q(is_deceased=True) | Q(moved_away=True)
    pending = (Q(review_cases__state__in=ReviewCase.OPEN_STATES)
               | Q(applications__state__in=PENDING_APPLICATION_STATES)
               | Q(review_cases__outreach_task__state=OutreachTask.State.OPEN)
               | Q(follow_ups__state=FollowUp.State.OPEN))
    return InsuredPerson.objects.filter(gone).filter(pending).distinct().order_by("pk")


def pending_work_stop_all(*, acting_user=None) -> int:
    """Every such person's pending work stopped, one person per transaction. Returns how many people."""
    stopped = 0
    for pk in list(people_with_pending_work().values_list("pk", flat=True)):
        stopped += bool(person_pending_work_stop(person_id=pk, acting_user=acting_user))
    return stopped


@transaction.atomic
def person_pending_work_stop(*, person_id: int, acting_user=None) -> int:
    """Under the person's lock (the one an application's submission takes): what was pending, stopped.
    Returns how many rows it closed."""
    person = InsuredPerson.objects.select_for_update().get(pk=person_id)
    if not (person.is_deceased or person.moved_away):
        return 0
    reason = _reason(person)
    closed = len(states_move(ReviewCase.objects.filter(person=person, state__in=ReviewCase.OPEN_STATES),
                             ReviewCase.State.CLOSED, acting_user=acting_user, reason=f"终止：{reason}",
                             closed_reason=reason))
    closed += len(states_move(Application.objects.filter(person=person, state__in=PENDING_APPLICATION_STATES),
                              Application.State.WITHDRAWN, acting_user=acting_user, reason=f"终止：{reason}",
                              withdrawn_reason=reason))
    outcome = OutreachOutcome.DIED if person.is_deceased else OutreachOutcome.MOVED
    for task in OutreachTask.objects.filter(review_case__person=person, state=OutreachTask.State.OPEN):
        state_move(task, OutreachTask.State.CLOSED, acting_user=acting_user, reason=f"终止：{reason}",
                   outcome=outcome, closed_at=timezone.now())
        closed += 1
    follow_outcome = FollowUp.Outcome.DIED if person.is_deceased else FollowUp.Outcome.MOVED
    for follow_up in FollowUp.objects.filter(person=person, state=FollowUp.State.OPEN):
        state_move(follow_up, FollowUp.State.CLOSED, acting_user=acting_user, reason=f"终止：{reason}",
                   outcome=follow_outcome, closed_at=timezone.now())
        closed += 1
    return closed
