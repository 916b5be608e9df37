"""The reviews (复核) waiting for a decision (fundportal/workqueue.py): of eligibility, by the city
bureau; of an amount, by the council's secretary — never by whoever made the decision under review
(original_decider_id). Counted over appeals_for_user, the user's own list and area, in one query.
Auditors see every area's overdue reviews (督办)."""
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fundportal.workqueue import Kind, Queue

from .models import Appeal

from .selectors import appeals_for_user

RECEIVED = Appeal.State.RECEIVED


APPEAL_QUEUE = Queue(
    rows=lambda user: appeals_for_user(user=user),
    kinds=(
        Kind("appeals.eligibility", _("复核：资格认定待复核"), "assistance.decide_eligibility_appeal",
             lambda user: Q(kind=Appeal.Kind.ELIGIBILITY, state=RECEIVED) & ~Q(review_case__determined_by=user)),
        Kind("appeals.amount", _("复核：救助金额待复核"), "assistance.decide_amount_appeal",
             lambda user: Q(kind=Appeal.Kind.AMOUNT, state=RECEIVED) & ~Q(item__resolution__signed_by=user)),
        Kind("appeals.supervise", _("督办：逾期未办结的复核"), "fundportal.view_audit_trail",
             lambda user: Q(state=RECEIVED, due_on__lt=timezone.localdate()), supervision=True),
    ),
    since="filed_on", due="due_on", list_url="admin:assistance_appeal_changelist")
