"""Pledge instalments overdue (fundportal/workqueue.py): due before today and not received in full,
for the finance staff who follow the pledges up with their donors. Counted per instalment in one
query; the link shows the pledges they belong to (each with its arrears)."""
from decimal import Decimal

from django.db.models import DecimalField, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fundportal.workqueue import Kind, Queue

from .models import Donation, PledgeInstalment


def _instalments(user):
    received = (Donation.objects.filter(instalment=OuterRef("pk"), status=Donation.Status.RECEIVED).order_by()
                .values("instalment").annotate(total=Sum("amount")).values("total"))
    money = DecimalField(max_digits=14, decimal_places=2)
    return PledgeInstalment.objects.annotate(
        received=Coalesce(Subquery(received, output_field=money), Value(Decimal("0.00")), output_field=money))


def _in_arrears(user) -> Q:
    return Q(due_on__lt=timezone.localdate(), received__lt=F("amount"))


PLEDGE_QUEUE = Queue(
    rows=_instalments,
    kinds=(Kind("donations.arrears", _("认捐分期：逾期未到账，待联系捐赠方"), "donations.change_pledge", _in_arrears),),
    since="due_on", due="due_on", list_url="admin:donations_pledge_changelist", list_field="pledge_id")
