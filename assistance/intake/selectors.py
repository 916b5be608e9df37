"""The intake's reads: warning targets and screening runs scoped to the user who asks, a person's
settlements and their year in figures."""
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum

from fundportal.money import ZERO, to_money

from ..access import sees_all_medical_data
from .models import InsuredPerson, ScreeningRun, SettlementImport, SettlementRecord, WarningTarget


def warning_targets_for_user(*, user) -> QuerySet[WarningTarget]:
    """MSB: every target. Civil-affairs officers: targets of shared runs inside their area only.

    An officer without an area sees nothing (a misconfigured account must not see the city).
    """
    targets = WarningTarget.objects.select_related("person", "region", "run")
    if sees_all_medical_data(user):
        return targets
    if not user.has_perm("assistance.view_warningtarget") or user.region is None:
        return targets.none()
    return targets.filter(run__shared_at__isnull=False, region__path__startswith=user.region.path)


def screening_runs_for_user(*, user) -> QuerySet[ScreeningRun]:
    if sees_all_medical_data(user):
        return ScreeningRun.objects.all()
    if user.has_perm("assistance.view_warningtarget"):
        return ScreeningRun.objects.filter(shared_at__isnull=False)
    return ScreeningRun.objects.none()


@dataclass(frozen=True)
class CostSummary:
    person: InsuredPerson
    year: int
    settlements: int
    total_cost: Decimal
    fund_basic: Decimal
    fund_critical: Decimal
    fund_assistance: Decimal
    out_of_pocket: Decimal

    @property
    def fund_paid(self) -> Decimal:
        return self.fund_basic + self.fund_critical + self.fund_assistance


def person_cost_summary(*, person: InsuredPerson, year: int) -> CostSummary:
    """A person's year in figures (what later pre-fills applications)."""
    totals = SettlementRecord.objects.filter(year=year, person=person).aggregate(
        settlements=Count("id"), total_cost=Sum("total_cost"), fund_basic=Sum("fund_basic"),
        fund_critical=Sum("fund_critical"), fund_assistance=Sum("fund_assistance"),
        out_of_pocket=Sum("out_of_pocket"))
    return CostSummary(person=person, year=year, settlements=totals["settlements"],
                       **{key: to_money(totals[key] or ZERO) for key in  # SQLite's sums have long tails
                          ("total_cost", "fund_basic", "fund_critical", "fund_assistance", "out_of_pocket")})


def person_settlements(*, person: InsuredPerson, year: int) -> QuerySet[SettlementRecord]:
    return SettlementRecord.objects.filter(year=year, person=person).order_by("settled_on", "settlement_no")


def person_years(*, person: InsuredPerson) -> list[int]:
    return list(SettlementRecord.objects.filter(person=person).values_list("year", flat=True)
                .distinct().order_by("-year"))


def imported_years() -> list[int]:
    """Years with at least one finished settlement import, newest first (a few rows to read)."""
    return list(SettlementImport.objects.filter(state=SettlementImport.State.DONE)
                .values_list("year", flat=True).distinct().order_by("-year"))
