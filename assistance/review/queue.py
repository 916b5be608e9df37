"""The review cases waiting for each civil-affairs officer (fundportal/workqueue.py): the city
bureau dispatches what is in first screening and decides what the villages verified, the town hands
its cases to the villages, the village verifies. Counted over review_cases_for_user, the same
rows (and area) as the officer's list, in one query; the list's "我的待办" filter shows them.

Auditors see every area's overdue cases (督办), for the supervision they are there for."""
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fundportal.workqueue import Kind, Queue

from .models import ReviewCase
from .selectors import review_cases_for_user

State = ReviewCase.State


def _not_verified_by(user) -> Q:
    # Whoever verified a case does not decide it (review_case_determine refuses them).
    return Q(state=State.VERIFIED) & ~Q(verified_by=user)


def _overdue(user) -> Q:
    return Q(state__in=ReviewCase.OPEN_STATES, due_on__lt=timezone.localdate())


REVIEW_QUEUE = Queue(
    rows=lambda user: review_cases_for_user(user=user),
    kinds=(
        Kind("review.dispatch", _("资格审核：待派至乡镇（街道）"), "assistance.dispatch_reviewcase",
             lambda user: Q(state=State.FIRST_SCREENING)),
        Kind("review.assign", _("资格审核：待交村（社区）甄别"), "assistance.assign_reviewcase",
             lambda user: Q(state=State.AT_TOWN)),
        Kind("review.verify", _("资格审核：待入户甄别"), "assistance.verify_reviewcase",
             lambda user: Q(state__in=[State.AT_VILLAGE, State.RETURNED])),
        Kind("review.determine", _("资格审核：已甄别，待认定"), "assistance.determine_reviewcase", _not_verified_by),
        Kind("review.supervise", _("督办：逾期未办结的资格审核"), "fundportal.view_audit_trail", _overdue,
             supervision=True),
    ),
    since="state_since", due="due_on", list_url="admin:assistance_reviewcase_changelist")
