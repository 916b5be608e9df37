"""The objections (公示异议) waiting for each civil-affairs officer (fundportal/workqueue.py): the
village investigates what was received; the town and the city decide the open ones within the
working-day deadline — except the officer who made the decision objected to (objection_decide
refuses them). Counted over objections_for_user, the officer's own list and area, in one query.
Auditors see every area's overdue objections (督办)."""
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fundportal.workqueue import Kind, Queue

from .models import Objection
from .selectors import objections_for_user

State = Objection.State


def _to_investigate(user) -> Q | None:
    if user.has_perm("assistance.decide_objection"):
        return None  # who decides them has them on the queue to decide, with the same deadline
    return Q(state=State.RECEIVED)


def _to_decide(user) -> Q:
    # deciders_of: who determined the eligibility, who signed the resolution.
    return (Q(state__in=Objection.OPEN_STATES) & ~Q(entry__item__application__review_case__determined_by=user)
            & ~Q(entry__publicity__resolution__signed_by=user))


def _overdue(user) -> Q:
    return Q(state__in=Objection.OPEN_STATES, due_on__lt=timezone.localdate())


OBJECTION_QUEUE = Queue(
    rows=lambda user: objections_for_user(user=user),
    kinds=(
        Kind("publicity.investigate", _("公示异议：待入户核查"), "assistance.investigate_objection", _to_investigate),
        Kind("publicity.decide", _("公示异议：待办结"), "assistance.decide_objection", _to_decide),
        Kind("publicity.supervise", _("督办：逾期未办结的公示异议"), "fundportal.view_audit_trail", _overdue,
             supervision=True),
    ),
    since="received_on", due="due_on", list_url="admin:assistance_objection_changelist")
