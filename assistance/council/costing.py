"""Costing a payouts resolution: each application priced by the chosen scheme, net of what this
year's decisions already granted the person, and the approved amounts fitted to the fund's
available balance as the resolution says (budget.py: pro rata, or in order). Reads only: the
drafts and the signing (services.py) write what these lines say.
"""
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum

from ..applications.models import Application
from ..payouts.models import Payout
from . import budget as fitting
from .models import Resolution, ResolutionItem, Scheme
from .schemes import application_compute
from .selectors import ZERO, budget_now, granted_this_year, items_in_force

Decision = ResolutionItem.Decision
ZERO_REASON = "按救助方案测算，救助金额为 0 元"
DEFER_REASON = "可用余额不足，留待下次理事会"


@dataclass(frozen=True)
class Line:
    """One application's proposed decision."""

    application: Application
    decision: str
    reason: str
    computed: Decimal
    amount: Decimal
    breakdown: dict
    by_council: bool = False


def _ordered(applications: list[Application], order: str) -> list[Application]:
    if order == Resolution.Order.CATEGORY:
        return sorted(applications, key=lambda a: (a.review_case.category.order, a.submitted_at, a.pk))
    return sorted(applications, key=lambda a: (a.submitted_at, a.pk))


def lines_costed(*, scheme: Scheme, applications: list[Application], over_budget: str, order: str,
                 available: Decimal, rejected: dict[int, str]) -> list[Line]:
    """Each application costed, then the approved ones fitted to `available`."""
    lines = {}
    for application in applications:
        if application.pk in rejected:
            lines[application.pk] = Line(application, Decision.REJECT, rejected[application.pk], ZERO, ZERO, {},
                                         by_council=True)
            continue
        already = granted_this_year(person_id=application.person_id, year=application.year,
                                    excluding_application_id=application.pk)
        breakdown = application_compute(scheme=scheme, application=application, already_paid=already,
                                        other_assistance=application.other_assistance)
        if breakdown.amount <= 0:
            lines[application.pk] = Line(application, Decision.REJECT, ZERO_REASON, ZERO, ZERO, breakdown.as_dict())
        else:
            lines[application.pk] = Line(application, Decision.APPROVE, "", breakdown.amount, breakdown.amount,
                                         breakdown.as_dict())
    approving = [a for a in _ordered(applications, order) if lines[a.pk].decision == Decision.APPROVE]
    wanted = [(a.pk, lines[a.pk].computed) for a in approving]
    fit = fitting.in_order if over_budget == Resolution.OverBudget.IN_ORDER else fitting.pro_rata
    for pk, amount in fit(wanted, available).items():
        line = lines[pk]
        if amount <= 0:
            lines[pk] = Line(line.application, Decision.DEFER, DEFER_REASON, line.computed, ZERO, line.breakdown)
        elif amount != line.computed:
            lines[pk] = Line(line.application, Decision.APPROVE, "", line.computed, amount, line.breakdown)
    return [lines[a.pk] for a in _ordered(applications, order)]


def resolution_applications(resolution: Resolution, *, lock: bool = False) -> list[Application]:
    """The applications the resolution lists, in id order (locked when signing)."""
    queryset = Application.objects.filter(resolution_items__resolution=resolution)
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    return list(queryset.select_related("review_case__category").prefetch_related("extra_costs").order_by("pk"))


def resolution_available(resolution: Resolution, applications: list[Application]) -> Decimal:
    """The fund's available balance; an amendment may also use what the decisions it replaces hold."""
    available = budget_now().available
    if resolution.amends_id is not None:
        replaced = items_in_force().filter(application__in=applications, decision=Decision.APPROVE)
        paid = Payout.objects.filter(item__in=replaced, state=Payout.State.PAID).aggregate(t=Sum("amount"))["t"]
        available += (replaced.aggregate(t=Sum("amount"))["t"] or ZERO) - (paid or ZERO)
    return available


def resolution_lines(resolution: Resolution, applications: list[Application]) -> list[Line]:
    """The resolution's applications costed again with today's figures; the council's rejections stay."""
    rejected = dict(resolution.items.filter(by_council=True).values_list("application_id", "reason"))
    return lines_costed(scheme=resolution.scheme, applications=applications, over_budget=resolution.over_budget,
                        order=resolution.order, available=resolution_available(resolution, applications),
                        rejected=rejected)
