"""Applications waiting for someone (fundportal/workqueue.py), counted over applications_for_user,
the user's own list, in one query each:

- the council's secretary: applications ready for costing (待测算) that no draft resolution lists
  yet (what resolution_draft_payouts would take), shown on the applications list;
- the Red Cross clerk: applications they entered whose payment failed or came back from the bank
  and has not been issued again: the family is to be asked for a correct account (shown in the
  clerk's workspace, whose list applies the same filter).

The later stages (council, payouts) are read through the relations' names: this stage comes first.
"""
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fundportal.workqueue import Kind, Queue

from .models import Application
from .selectors import applications_for_user

# assistance.payouts.models.Payout.REISSUABLE_STATES: failed at the bank, or returned by it.
PAYMENT_FAILED_STATES = ("failed", "returned")


def _ready_not_in_a_draft(user) -> Q:
    in_a_draft = Application.objects.filter(resolution_items__isnull=False,
                                            resolution_items__resolution__signed_at__isnull=True).values("pk")
    return Q(state=Application.State.READY) & ~Q(pk__in=in_a_draft)


def _payment_failed(user) -> Q:
    failed = Application.objects.filter(payouts__state__in=PAYMENT_FAILED_STATES,
                                        payouts__reissued_as__isnull=True).values("pk")
    return Q(pk__in=failed)


COSTING_QUEUE = Queue(
    rows=lambda user: applications_for_user(user=user),
    kinds=(Kind("applications.costing", _("救助申请：待测算金额、列入决议"), "assistance.add_resolution",
                _ready_not_in_a_draft),),
    since="submitted_at", list_url="admin:assistance_application_changelist")

CLERK_QUEUE = Queue(
    rows=lambda user: applications_for_user(user=user),
    kinds=(Kind("applications.payment_failed", _("救助金支付失败或被退回：待联系家庭核实账户"),
                "assistance.add_application", _payment_failed),),
    since="submitted_at", list_url="workspace:home")
