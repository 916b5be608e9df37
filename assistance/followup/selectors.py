"""Follow-up's reads (防止返贫监测), scoped to the officer who asks: the follow-ups of their area,
what a family was given in the years it was assisted, and its medical costs in the two years the
flag compares."""
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from fundportal.money import ZERO, to_money

from ..access import sees_all_medical_data
from ..applications.models import Application
from ..intake.models import ScreeningRun
from ..intake.selectors import CostSummary, person_cost_summary
from .models import FollowUp

# A payout's state "paid" (assistance/payouts/models.py), read through the applications' reverse
# relation: payouts come after this stage and are not imported here (as outreach reads applications).
PAYOUT_PAID = "paid"


def follow_ups_for_user(*, user) -> QuerySet[FollowUp]:
    """Auditors: every follow-up. Civil-affairs officers: those of their own area (city, town or
    village). Anyone else (the MSB, clerks, finance), or an officer without an area: none."""
    follow_ups = FollowUp.objects.select_related("person", "region__parent", "run")
    if not user.has_perm("assistance.view_followup"):
        return follow_ups.none()
    if sees_all_medical_data(user):
        return follow_ups
    if user.region is None:
        return follow_ups.none()
    return follow_ups.filter(region__path__startswith=user.region.path)


def overdue_q(day: dt.date | None = None) -> Q:
    """Open follow-ups past their deadline on `day` (today)."""
    return Q(state=FollowUp.State.OPEN, due_on__lt=day or timezone.localdate())


def run_follow_up_count(*, user, run: ScreeningRun) -> int:
    """How many follow-ups the run flagged, as this user may count them: an officer their area's,
    the MSB (which shares the run, and sees no follow-up) the run's total — a number, no person."""
    if user.has_perm("assistance.view_followup"):
        return follow_ups_for_user(user=user).filter(run=run).count()
    return FollowUp.objects.filter(run=run).count()


@dataclass(frozen=True)
class AssistedYear:
    """One cost year the family was assisted for: the application, its category, what was paid."""

    year: int
    number: str
    category: str
    paid: Decimal


@dataclass(frozen=True)
class FollowUpHistory:
    assisted: list[AssistedYear]
    costs: CostSummary  # the follow-up's cost year
    previous_costs: CostSummary  # the year before

    @property
    def both_years(self) -> tuple[CostSummary, CostSummary]:
        return self.previous_costs, self.costs

    @property
    def paid_total(self) -> Decimal:
        return sum((year.paid for year in self.assisted), start=ZERO)


def follow_up_history(follow_up: FollowUp) -> FollowUpHistory:
    """For the follow-up's page: the person's paid applications before the follow-up's year with
    the amounts the bank confirmed, and their settlement totals of that year and the year before."""
    applications = (Application.objects.filter(person_id=follow_up.person_id, state=Application.State.PAID,
                                               year__lt=follow_up.year)
                    .annotate(paid=Sum("payouts__amount", filter=Q(payouts__state=PAYOUT_PAID)))
                    .select_related("review_case__category").order_by("year", "pk"))
    assisted = [AssistedYear(year=application.year, number=application.number,
                             category=str(application.review_case.category or "—") if application.review_case else "—",
                             paid=to_money(application.paid or ZERO))
                for application in applications]
    person = follow_up.person
    return FollowUpHistory(assisted=assisted, costs=person_cost_summary(person=person, year=follow_up.year),
                           previous_costs=person_cost_summary(person=person, year=follow_up.year - 1))
