"""Reads on the income side."""
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from fundportal.lookups import code_matches
from fundportal.money import ZERO
from fundportal.text import clean_code

from .models import Donation, Pledge, PledgeInstalment, Receipt


def receipt_find_for_public(*, number: str, code: str) -> Receipt | None:
    """The receipt if number and code both match, else None — the same None for a wrong code
    and a missing number, so the page cannot be used to learn which numbers exist."""
    receipt = Receipt.objects.filter(number=clean_code(number)).select_related("replaced_by").first()
    if not code_matches(receipt.verification_code if receipt else None, code):
        return None
    return receipt


def donations_for_user(*, user) -> QuerySet[Donation]:
    """Donations are the Charity Federation's (and auditors') to see; everyone else gets none."""
    if not user.has_perm("donations.view_donation"):
        return Donation.objects.none()
    return Donation.objects.select_related("donor", "campaign", "recorded_by")


@dataclass(frozen=True)
class InstalmentProgress:
    instalment: PledgeInstalment
    received: Decimal
    outstanding: Decimal
    overdue: bool


@dataclass(frozen=True)
class PledgeProgress:
    pledge: Pledge
    instalments: list[InstalmentProgress]
    received: Decimal
    outstanding: Decimal
    arrears: Decimal  # due by today and not yet received


def pledge_progress(*, pledge: Pledge, today: dt.date | None = None) -> PledgeProgress:
    today = today or timezone.localdate()
    instalments = pledge.instalments.annotate(
        received_sum=Sum("donations__amount", filter=Q(donations__status=Donation.Status.RECEIVED))
    ).order_by("sequence")
    rows = []
    for instalment in instalments:
        received = instalment.received_sum or ZERO
        outstanding = max(instalment.amount - received, ZERO)
        rows.append(InstalmentProgress(instalment, received, outstanding,
                                       overdue=outstanding > 0 and instalment.due_on < today))
    received = sum((row.received for row in rows), ZERO)
    return PledgeProgress(
        pledge=pledge, instalments=rows, received=received, outstanding=max(pledge.total - received, ZERO),
        arrears=sum((row.outstanding for row in rows if row.overdue), ZERO),
    )


def income_total(*, date_from: dt.date | None = None, date_to: dt.date | None = None) -> Decimal:
    qs = Donation.objects.filter(status=Donation.Status.RECEIVED)
    if date_from:
        qs = qs.filter(received_on__gte=date_from)
    if date_to:
        qs = qs.filter(received_on__lte=date_to)
    return qs.aggregate(total=Sum("amount"))["total"] or ZERO


def donation_for_submission(*, user, key) -> Donation | None:
    """The donation this user recorded with this submission (idempotency) key, if any: keys are
    per user, so another user's key finds nothing."""
    return Donation.objects.filter(recorded_by=user, idempotency_key=key).first()
