"""The review's reads, always scoped to the officer who asks: the cases of their area, what of a
household they may see, the overdue counts and the per-town report."""
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, Count, F, Q, QuerySet, When
from django.utils import timezone
from django.utils.translation import gettext

from fundportal.models import Region

from ..access import sees_all_medical_data
from ..intake.models import ScreeningRun
from .models import EligibilityCategory, HouseholdMember, ReviewCase

# What civil affairs found at the household (入户甄别): its income, assets, housing, the visit and
# its notes, the members, and the reasons written about it. A review case's state, deadline and
# category are what other agencies need; these stay with civil affairs (and those who audit it).
HOUSEHOLD_FIELDS = ("household_income", "assets", "housing", "notes", "visited_on", "return_reason",
                    "decision_reason")


def sees_household(user) -> bool:
    """Civil-affairs officers (their own area's cases, as review_cases_for_user scopes them) and
    auditors. Never the medical-insurance bureau: it needs the state of a case, not the household —
    whatever the role table grants it (view_householdmember included)."""
    if not user.has_perm("assistance.view_householdmember"):
        return False
    return not sees_all_medical_data(user) or user.has_perm("fundportal.view_audit_trail")


def review_cases_for_user(*, user) -> QuerySet[ReviewCase]:
    """The MSB and auditors: every case. Civil-affairs officers: the cases of their own area
    (city, town or village), and nothing without an area."""
    cases = ReviewCase.objects.select_related("person", "region", "category")
    if sees_all_medical_data(user):
        return cases
    if not user.has_perm("assistance.view_reviewcase") or user.region is None:
        return cases.none()
    return cases.filter(region__path__startswith=user.region.path)


def review_cases_overdue(cases: QuerySet[ReviewCase], *, day: dt.date | None = None) -> QuerySet[ReviewCase]:
    return cases.filter(state__in=ReviewCase.OPEN_STATES, due_on__lt=day or timezone.localdate())


_TOWN_OF_CASE = Case(When(region__level=Region.Level.TOWN, then=F("region_id")), default=F("region__parent_id"))


def review_overdue_by_town(*, day: dt.date) -> dict[tuple[int, str], int]:
    """(town id, state) → number of open cases past their deadline on `day`."""
    rows = (review_cases_overdue(ReviewCase.objects.all(), day=day).annotate(town=_TOWN_OF_CASE)
            .values("town", "state").annotate(count=Count("id")).order_by())
    return {(row["town"], row["state"]): row["count"] for row in rows}


@dataclass
class ReviewReportRow:
    area: str  # a town, or for a village officer their own village (review_report_area_title)
    cases: int
    dispatched: int
    verified: int
    eligible: dict[str, int]
    not_eligible: int
    overdue: int

    @property
    def eligible_total(self) -> int:
        return sum(self.eligible.values())


def _reports_by_village(user) -> bool:
    """A village officer's report has one row, labelled by their village: grouped by town, their
    own counts read "塘下镇", as if they were the town's."""
    return (not sees_all_medical_data(user) and user.region is not None
            and user.region.level == Region.Level.VILLAGE)


def review_report_area_title(*, user) -> str:
    """The heading of the report's first column, at the level the rows are labelled."""
    return gettext("村（社区）") if _reports_by_village(user) else gettext("乡镇/街道")


def review_report(*, user, run: ScreeningRun | None = None, day: dt.date | None = None
                  ) -> tuple[list[str], list[ReviewReportRow]]:
    """Per town of the user's area — per village for a village officer — (and run, if given):
    cases, dispatched, verified, eligible by category, not eligible, overdue — one grouped query.
    Returns the category names and the rows, the last row being the total."""
    cases = review_cases_for_user(user=user)
    if run is not None:
        cases = cases.filter(target__run=run)
    day = day or timezone.localdate()
    categories = list(EligibilityCategory.objects.values_list("id", "name"))
    open_overdue = Q(state__in=ReviewCase.OPEN_STATES, due_on__lt=day)
    area = F("region_id") if _reports_by_village(user) else _TOWN_OF_CASE
    rows = (cases.annotate(area=area).values("area").annotate(
        cases=Count("id"), dispatched=Count("id", filter=~Q(state=ReviewCase.State.FIRST_SCREENING)),
        verified=Count("id", filter=Q(verified_at__isnull=False)),
        not_eligible=Count("id", filter=Q(state=ReviewCase.State.NOT_ELIGIBLE)),
        overdue=Count("id", filter=open_overdue),
        **{f"category_{pk}": Count("id", filter=Q(state=ReviewCase.State.ELIGIBLE, category_id=pk))
           for pk, _name in categories},
    ).order_by())
    names = dict(Region.objects.filter(pk__in=[row["area"] for row in rows]).values_list("pk", "name"))
    report = [ReviewReportRow(area=names.get(row["area"], "—"), cases=row["cases"], dispatched=row["dispatched"],
                              verified=row["verified"],
                              eligible={name: row[f"category_{pk}"] for pk, name in categories},
                              not_eligible=row["not_eligible"], overdue=row["overdue"]) for row in rows]
    report.sort(key=lambda row: row.area)
    total = ReviewReportRow(area="合计", cases=sum(r.cases for r in report),
                            dispatched=sum(r.dispatched for r in report), verified=sum(r.verified for r in report),
                            eligible={name: sum(r.eligible[name] for r in report) for _pk, name in categories},
                            not_eligible=sum(r.not_eligible for r in report), overdue=sum(r.overdue for r in report))
    return [name for _pk, name in categories], [*report, total]


# ------------------------------------------------------------------ a re-review beside the last decision

@dataclass(frozen=True)
class HouseholdRecord:
    """A case's household as verified (members, income, assets, housing) and its decision."""

    year: int
    members: list[HouseholdMember]
    income: Decimal | None
    assets: str
    housing: str
    category: str
    decided_on: dt.date | None
    valid_until: dt.date | None
    verified: bool


@dataclass(frozen=True)
class MemberIncomeChange:
    member_id: int  # this visit's row
    name: str
    relation: str
    before: Decimal
    after: Decimal


@dataclass(frozen=True)
class HouseholdChanges:
    """What a re-review (or a follow-up's review) found against the decision it looks at again.
    `current` is None until the case is verified; then the differences are filled in."""

    previous: HouseholdRecord
    current: HouseholdRecord | None
    added: list[HouseholdMember] = field(default_factory=list)
    removed: list[HouseholdMember] = field(default_factory=list)
    income_changes: list[MemberIncomeChange] = field(default_factory=list)
    income_difference: Decimal | None = None
    assets_changed: bool = False
    housing_changed: bool = False

    @property
    def income_changed_ids(self) -> set[int]:
        """This visit's members whose income differs from the last decision's (marked on the page)."""
        return {change.member_id for change in self.income_changes}

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed or self.income_changes or self.income_difference
                    or self.assets_changed or self.housing_changed)


def _record(case: ReviewCase) -> HouseholdRecord:
    determined = timezone.localdate(case.determined_at) if case.determined_at else None
    return HouseholdRecord(year=case.year, members=list(case.household.all()), income=case.household_income,
                           assets=case.assets, housing=case.housing, category=str(case.category or ""),
                           decided_on=determined, valid_until=case.valid_until, verified=case.verified_at is not None)


def _same_member(one: HouseholdMember, other: HouseholdMember) -> bool:
    """The same person on two visits: by ID number when both have one, else by name."""
    if one.resident_id and other.resident_id:
        return one.resident_id == other.resident_id
    return "".join(one.name.split()) == "".join(other.name.split())


def household_changes(case: ReviewCase) -> HouseholdChanges | None:
    """For a case with a `previous` decision: that decision's household beside this case's (once
    verified), with the members added and removed, each kept member's income change, and the
    household income's difference. None for a case that looks at no earlier decision. The caller
    shows it only to those who see households (sees_household)."""
    if case.previous_id is None:
        return None
    previous = _record(ReviewCase.objects.select_related("category").get(pk=case.previous_id))
    if case.verified_at is None:
        return HouseholdChanges(previous=previous, current=None)
    current = _record(case)
    unmatched = list(previous.members)
    added, income_changes = [], []
    for member in current.members:
        match = next((old for old in unmatched if _same_member(old, member)), None)
        if match is None:
            added.append(member)
            continue
        unmatched.remove(match)
        if match.annual_income != member.annual_income:
            income_changes.append(MemberIncomeChange(member_id=member.pk, name=member.name, relation=member.relation,
                                                     before=match.annual_income, after=member.annual_income))
    difference = (current.income - previous.income
                  if current.income is not None and previous.income is not None else None)
    return HouseholdChanges(previous=previous, current=current, added=added, removed=unmatched,
                            income_changes=income_changes, income_difference=difference,
                            assets_changed=current.assets.strip() != previous.assets.strip(),
                            housing_changed=current.housing.strip() != previous.housing.strip())
