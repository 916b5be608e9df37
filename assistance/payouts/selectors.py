"""The payouts' reads: an application's decision in force and its payments (its page, in the
admin and the clerks' workspace), and the flags raised (the report)."""
import datetime as dt

from django.db.models import Q

from ..council.selectors import ZERO, items_in_force
from .models import FraudFlag, Payout


def payment_status(application) -> dict:
    """For the application's page: the decision in force, its amount and breakdown, the payments."""
    item = items_in_force().filter(application=application).select_related("resolution").first()
    payouts = list(application.payouts.select_related("batch").order_by("id"))
    return {"item": item, "payouts": payouts,
            "paid": sum((p.amount for p in payouts if p.state == Payout.State.PAID), start=ZERO)}


def flags_report(*, date_from: dt.date | None = None, open_only: bool = False):
    """Every flag raised, for the report (newest first)."""
    flags = FraudFlag.objects.select_related("payout__batch", "payout__application", "overridden_by")
    if date_from:
        flags = flags.filter(raised_at__date__gte=date_from)
    if open_only:
        flags = flags.filter(Q(overridden_by__isnull=True))
    return flags.order_by("-raised_at", "-id")
