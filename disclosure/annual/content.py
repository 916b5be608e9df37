"""What the annual report of a year says, read from the recorded data only: pure reads, no writes.

One document answers both reports the measures ask for by 31 May (慈善组织信息公开办法):
- 年度工作报告 (the work report): section "work" — people assisted, payouts by town/street and by
  eligibility category, the year's funnel (disclosure/funnel.py) when there is one, the scheme in
  force and the schemes approved in the year, the council's meetings and resolutions, the 公示 that
  ended in the year with their objection counts;
- 财务会计报告 (the financial report): section "finance" — opening balance, income by donor kind,
  payouts, administrative costs, closing balance (from the ledger, by business date, as the
  statements are), receipts issued and voided, and the pledges: instalments due in the year with
  their arrears at the year's end, and what every pledge still owed then.
The document says so itself ("parts"), so a reader of the JSON knows which part is which.

Figures are the ledger's: income and payouts are the rows of disclosure/content.py (each a ledger
entry of the year; a cancelled gift or a returned payment is a negative row), and the closing
balance is checked against the ledger's own balance. Administrative costs are whatever else left the
fund in the year: the ledger has no kind for them, so they are 0.00 — computed, not typed.

People appear only as the statements show them: organisations by name, individual donors masked, an
anonymous giver as 匿名; beneficiaries never by name here at all — counts and sums only, per town
with the small-count rule of disclosure/annual/grouping.py.
"""
import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Q, Sum
from django.db.models.functions import ExtractYear
from django.utils import timezone, translation

from assistance.models import Meeting, Payout, Resolution, Scheme
from donations.models import Donation, Donor, PledgeInstalment, Receipt
from fundportal.masking import mask_name
from fundportal.models import LedgerEntry, Region

from .. import funnel
from ..content import (balance_before, grouped, income_rows, ledger_day, money_text, payout_rows,
                       pledges_outstanding)
from ..models import Statement
from ..publicity import publicity_section
from .grouping import Group, towns_grouped

FORMAT = 1
ZERO = Decimal("0.00")
PARTS = {"年度工作报告": "work", "财务会计报告": "finance"}
Kind = LedgerEntry.Kind


def title_for(year: int) -> str:
    return f"{year}年度工作报告及财务会计报告"


def year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def years_with_records() -> set[int]:
    """The years in which the ledger recorded anything (every gift and payment posts to it): one query."""
    return set(LedgerEntry.objects.annotate(year=ExtractYear(ledger_day())).values_list("year", flat=True)
               .distinct().order_by())


def year_has_records(year: int) -> bool:
    start, end = year_bounds(year)
    return LedgerEntry.objects.annotate(day=ledger_day()).filter(day__range=(start, end)).exists()


def report_error(year: int, *, today: dt.date | None = None) -> str | None:
    """Why there can be no annual report of `year` (yet), or None."""
    today = today or timezone.localdate()
    if year < settings.FUND_START_DATE.year:
        return f"{year}年早于基金设立（{settings.FUND_START_DATE:%Y-%m-%d}），没有该年度的年度报告"
    if year >= today.year:
        return f"{year}年度尚未结束，年度报告须在年度结束后（{year + 1}年1月1日起）编制发布"
    if not year_has_records(year):
        return f"{year}年度没有任何收支记录，无法编制年度报告"
    return None


def _town(region: Region | None) -> str:
    if region is None:
        return ""
    return region.parent.name if region.level == Region.Level.VILLAGE and region.parent else region.name


def _net_by_person(start: dt.date, end: dt.date) -> dict[int, tuple[str, str, Decimal]]:
    """person → (town, category, net amount paid in the year); the payments are the ledger's. A person
    counts once, in the town and category of their last payment of the year (so the rows add up)."""
    entries = list(LedgerEntry.objects.annotate(day=ledger_day()).filter(day__range=(start, end))
                   .filter(Q(kind=Kind.PAYOUT) | Q(kind=Kind.REVERSAL, reverses__kind=Kind.PAYOUT))
                   .order_by("day", "pk"))
    payouts = (Payout.objects.select_related("application__region__parent", "application__review_case__category")
               .in_bulk([int(entry.source_id) for entry in entries]))
    people: dict[int, tuple[str, str, Decimal]] = {}
    for entry in entries:
        application = payouts[int(entry.source_id)].application
        category = application.review_case.category.name if application.review_case and \
            application.review_case.category else ""
        paid = people[application.person_id][2] if application.person_id in people else ZERO
        people[application.person_id] = (_town(application.region), category, paid - entry.amount)
    return people


def _by(people: dict, index: int) -> list[Group]:
    groups: dict[str, list] = defaultdict(lambda: [0, ZERO])
    for figures in people.values():
        group = groups[figures[index] or "—"]
        group[0] += figures[2] > 0
        group[1] += figures[2]
    return [Group(name=name, people=count, amount=amount) for name, (count, amount) in groups.items()]


def _group_rows(groups: list[Group], key: str) -> list[dict]:
    return [{key: group.name, "people": group.people, "amount": money_text(group.amount)} for group in groups]


def _scheme(scheme: Scheme | None) -> dict | None:
    if scheme is None:
        return None
    resolution = (Resolution.objects.filter(scheme=scheme, kind=Resolution.Kind.SCHEME, signed_at__isnull=False)
                  .order_by("signed_at").first())
    return {"year": scheme.year, "version": scheme.version, "name": scheme.name,
            "annual_cap": money_text(scheme.annual_cap), "approved_on": timezone.localdate(scheme.approved_at).isoformat(),
            "resolution": str(resolution.number) if resolution else None}


def schemes_section(year: int) -> dict:
    """The scheme in force at the year's end (the latest approved by then for the cost year the
    year worked on, else the latest approved before), and every version approved in the year."""
    start, end = year_bounds(year)
    approved = Scheme.objects.filter(approved_at__isnull=False, approved_at__date__lte=end).order_by("-year",
                                                                                                     "-version")
    in_force = approved.filter(year__lte=funnel.cost_year_for(year)).first() or approved.first()
    return {"in_force": _scheme(in_force),
            "approved_in_year": [_scheme(s) for s in approved.filter(approved_at__date__gte=start)
                                 .order_by("approved_at")]}


def _giver(donor: Donor, anonymous: bool) -> str:
    if anonymous:
        return "匿名"
    return mask_name(donor.name) if donor.kind == Donor.Kind.INDIVIDUAL else donor.name


def instalments_due(year: int) -> list[dict]:
    """Each pledge instalment due in the year: what was received for it by the year's end, and the
    arrears then (the bank's 600,000 a year is one such row a year)."""
    start, end = year_bounds(year)
    gifts = Q(donations__status=Donation.Status.RECEIVED, donations__received_on__lte=end)
    rows = []
    for instalment in (PledgeInstalment.objects.filter(due_on__range=(start, end)).select_related("pledge__donor")
                       .annotate(received=Sum("donations__amount", filter=gifts),
                                 anonymous=Count("donations", filter=gifts & Q(donations__is_anonymous=True)))
                       .order_by("due_on", "pk")):
        received = instalment.received or ZERO
        rows.append({"donor": _giver(instalment.pledge.donor, bool(instalment.anonymous)),
                     "sequence": instalment.sequence, "due_on": instalment.due_on.isoformat(),
                     "amount": money_text(instalment.amount), "received": money_text(received),
                     "arrears": money_text(max(instalment.amount - received, ZERO))})
    return rows


def _sum(rows: list[dict], key: str = "amount") -> str:
    return money_text(sum((Decimal(row[key]) for row in rows), start=ZERO))


def year_statement(year: int) -> Statement | None:
    start, end = year_bounds(year)
    return Statement.objects.filter(kind=Statement.Kind.YEAR, period_start=start, period_end=end,
                                    state=Statement.State.PUBLISHED).first()


def report_content(year: int) -> dict:
    """The whole report, in the site's language (labels are published in Chinese)."""
    with translation.override(settings.LANGUAGE_CODE):
        return _report_content(year)


def _report_content(year: int) -> dict:
    start, end = year_bounds(year)
    opening = balance_before(start)
    income, donors = income_rows(start, end)
    payouts, _people = payout_rows(start, end)
    closing = balance_before(end + dt.timedelta(days=1))
    income_total = sum((Decimal(row["amount"]) for row in income), start=ZERO)
    payout_total = sum((Decimal(row["amount"]) for row in payouts), start=ZERO)
    administrative = opening + income_total - payout_total - closing  # what else left the fund
    if administrative < 0:
        raise ValueError("账目中有既非捐赠也非救助支出的收入，年度报告无法归类")
    people = _net_by_person(start, end)
    receipts = Receipt.objects.filter(received_on__range=(start, end)).aggregate(
        issued=Count("pk"), voided=Count("pk", filter=Q(status=Receipt.Status.VOIDED)))
    instalments = instalments_due(year)
    outstanding = pledges_outstanding(end)
    publicity = publicity_section(Statement.Kind.CUSTOM, start, end)
    funnel_section = funnel.funnel_section(year)
    published = year_statement(year)
    resolutions = Resolution.objects.filter(signed_at__date__range=(start, end))
    return {
        "format": FORMAT, "year": year, "parts": PARTS,
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "work": {
            "people_assisted": sum(1 for figures in people.values() if figures[2] > 0),
            "payments": sum(1 for row in payouts if not row["note"]),
            "payouts_by_town": _group_rows(towns_grouped(_by(people, 0)), "town"),
            "payouts_by_category": _group_rows(sorted(_by(people, 1), key=lambda g: (-g.amount, g.name)),
                                               "category"),
            "funnel": funnel_section if funnel_section["rows"] else None,
            "schemes": schemes_section(year),
            "council": {"meetings": Meeting.objects.filter(held_on__range=(start, end)).count(),
                        "resolutions": resolutions.count(),
                        "payout_resolutions": resolutions.filter(kind=Resolution.Kind.PAYOUTS).count()},
            "publicity": {"notices": len(publicity["rows"]), **publicity["totals"]},
        },
        "finance": {
            "opening_balance": money_text(opening), "closing_balance": money_text(closing),
            "income": {"total": money_text(income_total), "gifts": sum(1 for row in income if not row["note"]),
                       "donors": donors, "by_kind": grouped(income, "donor_kind")},
            "payouts": {"total": money_text(payout_total), "payments": sum(1 for row in payouts if not row["note"]),
                        "returned": money_text(-Decimal(_sum([row for row in payouts if row["note"]])))},
            "administrative_costs": money_text(administrative),
            "receipts": {"issued": receipts["issued"], "voided": receipts["voided"]},
            "pledges": {"instalments_due": instalments, "due": _sum(instalments),
                        "received": _sum(instalments, "received"), "arrears": _sum(instalments, "arrears"),
                        "outstanding_rows": outstanding, "outstanding": _sum(outstanding, "outstanding")},
        },
        "year_statement": ({"sequence": published.sequence, "sha256": published.sha256} if published else None),
    }
