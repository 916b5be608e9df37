"""What a statement says, read from the ledger: pure reads, no writes.

The rows are the ledger entries of the period (by business date), so every total is the sum of its
rows and the closing balance is the opening balance plus them. People appear only as the public may
see them: a beneficiary by masked name, town and category; an individual donor by masked name; an
anonymous gift as 匿名. Never an ID number, address, phone, bank account, diagnosis or household.
The section "publicity" (content format 2, disclosure/publicity.py) counts the objections to the 公示
the statement reports on; content without "format" was built before that section existed. A year
statement also has the section "funnel" (content format 3, disclosure/funnel.py): how far the
people of the cost year it reports on got, by town, in counts.
"""
import calendar
import datetime as dt
import json
from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, DateField, Q, Sum
from django.db.models.functions import Coalesce, TruncDate
from django.utils import translation
from django.utils.translation import gettext_noop

from assistance.models import Payout
from donations.models import Donation, Donor, Pledge
from fundportal.masking import mask_name
from fundportal.models import LedgerEntry, Region

from . import funnel
from .models import Statement
from .publicity import FORMAT, SECTION, publicity_section

ZERO = Decimal("0.00")
Kind = LedgerEntry.Kind
# Published in Chinese; translated only when shown (templatetags/disclosure_tags.py).
LABELS = [gettext_noop("匿名"), gettext_noop("个人"), gettext_noop("单位"), gettext_noop("冲正"),
          gettext_noop("银行退回")]


def canonical(value) -> str:
    """The one JSON text of a value: sorted keys, no spaces, Chinese as is. Hashes are over this."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def money_text(amount: Decimal) -> str:
    """An amount as published: two places, no grouping."""
    return f"{amount:.2f}"


def ledger_day():
    """An entry's business day, as the statements date it (its recording day before booked_on existed)."""
    return Coalesce("booked_on", TruncDate("created_at"), output_field=DateField())


def _entries():
    return LedgerEntry.objects.annotate(day=ledger_day())


def balance_before(day: dt.date) -> Decimal:
    return _entries().filter(day__lt=day).aggregate(total=Sum("amount"))["total"] or ZERO


def _donor(donation: Donation) -> tuple[str, str]:
    """(shown name, kind) as the public may see the giver."""
    if donation.is_anonymous or donation.donor is None:
        return "匿名", "匿名"
    donor = donation.donor
    if donor.kind == Donor.Kind.INDIVIDUAL:
        return mask_name(donor.name), "个人"
    return donor.name, donor.get_org_kind_display() or "单位"


def _town(region: Region | None) -> str:
    if region is None:
        return ""
    return region.parent.name if region.level == Region.Level.VILLAGE and region.parent else region.name


def income_rows(start: dt.date, end: dt.date) -> tuple[list[dict], int]:
    """The gifts of the period (a cancelled one is a negative row) and how many givers they came
    from (each anonymous gift counts as one)."""
    entries = list(_entries().filter(day__gte=start, day__lte=end)
                   .filter(Q(kind=Kind.INCOME) | Q(kind=Kind.REVERSAL, reverses__kind=Kind.INCOME))
                   .order_by("day", "id"))
    donations = Donation.objects.select_related("donor").in_bulk([int(e.source_id) for e in entries])
    rows, givers = [], set()
    for entry in entries:
        donation = donations[int(entry.source_id)]
        if entry.kind == Kind.INCOME:
            givers.add(("gift", donation.pk) if donation.is_anonymous or donation.donor_id is None
                       else ("donor", donation.donor_id))
        donor, kind = _donor(donation)
        rows.append({"entry": entry.pk, "date": entry.day.isoformat(), "donor": donor, "donor_kind": kind,
                     "amount": money_text(entry.amount), "note": "冲正" if entry.kind == Kind.REVERSAL else ""})
    return rows, len(givers)


def payout_rows(start: dt.date, end: dt.date) -> tuple[list[dict], int]:
    """The payouts of the period (a return is a negative row) and how many people they assisted."""
    entries = list(_entries().filter(day__gte=start, day__lte=end)
                   .filter(Q(kind=Kind.PAYOUT) | Q(kind=Kind.REVERSAL, reverses__kind=Kind.PAYOUT))
                   .order_by("day", "id"))
    payouts = (Payout.objects.select_related("application__person", "application__region__parent",
                                             "application__review_case__category")
               .in_bulk([int(e.source_id) for e in entries]))
    rows, people = [], set()
    for entry in entries:
        application = payouts[int(entry.source_id)].application
        people.add(application.person_id)
        category = application.review_case.category if application.review_case else None
        rows.append({"entry": entry.pk, "date": entry.day.isoformat(), "name": mask_name(application.person.name),
                     "town": _town(application.region), "category": category.name if category else "",
                     "amount": money_text(-entry.amount), "note": "银行退回" if entry.kind == Kind.REVERSAL else ""})
    return rows, len(people)


def grouped(rows: list[dict], key: str) -> list[dict]:
    """Rows summed by `key` (count and amount), largest first."""
    counts, sums = defaultdict(int), defaultdict(lambda: ZERO)
    for row in rows:
        counts[row[key]] += 1
        sums[row[key]] += Decimal(row["amount"])
    return [{key: name, "count": counts[name], "amount": money_text(sums[name])}
            for name in sorted(sums, key=lambda name: (-sums[name], name))]


def pledges_outstanding(end: dt.date) -> list[dict]:
    """Pledges signed by the end of the period and what of them had not arrived by then."""
    gifts = Q(instalments__donations__status=Donation.Status.RECEIVED, instalments__donations__received_on__lte=end)
    pledges = (Pledge.objects.filter(signed_on__lte=end).select_related("donor")
               .annotate(received=Coalesce(Sum("instalments__donations__amount", filter=gifts), ZERO),
                         anonymous=Count("instalments__donations", filter=gifts & Q(
                             instalments__donations__is_anonymous=True)))
               .order_by("signed_on", "id"))
    rows = []
    for pledge in pledges:
        outstanding = pledge.total - pledge.received
        if outstanding > 0:
            donor = pledge.donor
            name = mask_name(donor.name) if donor.kind == Donor.Kind.INDIVIDUAL else donor.name
            if pledge.anonymous:  # a gift given anonymously must not be tied to its giver here either
                name = "匿名"
            rows.append({"donor": name, "signed_on": pledge.signed_on.isoformat(), "total": money_text(pledge.total),
                         "received": money_text(pledge.received), "outstanding": money_text(outstanding)})
    return rows


def period_for(kind: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """The month, quarter or year that contains `day`."""
    if kind == Statement.Kind.MONTH:
        return day.replace(day=1), day.replace(day=calendar.monthrange(day.year, day.month)[1])
    if kind == Statement.Kind.QUARTER:
        first = 3 * ((day.month - 1) // 3) + 1
        return dt.date(day.year, first, 1), dt.date(day.year, first + 2, calendar.monthrange(day.year, first + 2)[1])
    if kind == Statement.Kind.YEAR:
        return dt.date(day.year, 1, 1), dt.date(day.year, 12, 31)
    raise ValueError(f"{kind} has no calendar period")


def calendar_kind(start: dt.date, end: dt.date) -> str:
    """The kind of statement a period is when none is named: a whole month, quarter or year, else custom."""
    for kind in (Statement.Kind.MONTH, Statement.Kind.QUARTER, Statement.Kind.YEAR):
        if period_for(kind, start) == (start, end):
            return kind
    return Statement.Kind.CUSTOM


STEPS = 5


def statement_content(start: dt.date, end: dt.date, *, kind: str | None = None, on_step=None) -> dict:
    """The whole statement of a kind for a period (the kind decides which 公示 it lists:
    disclosure/publicity.py; by default the calendar kind of the period); `on_step(n)` is told as
    each section is done. Always in the site's language (labels such as donor kinds are published
    as data, in Chinese)."""
    with translation.override(settings.LANGUAGE_CODE):
        return _statement_content(start, end, kind=kind or calendar_kind(start, end), on_step=on_step)


def _statement_content(start: dt.date, end: dt.date, *, kind: str, on_step=None) -> dict:
    step = on_step or (lambda n: None)
    opening = balance_before(start)
    income, donors = income_rows(start, end)
    step(1)
    payouts, people = payout_rows(start, end)
    step(2)
    pledges = pledges_outstanding(end)
    step(3)
    income_total = sum((Decimal(row["amount"]) for row in income), start=ZERO)
    payout_total = sum((Decimal(row["amount"]) for row in payouts), start=ZERO)
    closing = opening + income_total - payout_total
    if closing != balance_before(end + dt.timedelta(days=1)):
        raise ValueError("期末余额与账目不符")  # cannot happen unless the ledger changed mid-build
    step(4)
    publicity = publicity_section(kind, start, end)
    sections = {funnel.SECTION: funnel.funnel_section(start.year)} if kind == Statement.Kind.YEAR else {}
    step(5)
    return {
        "format": funnel.FORMAT if sections else FORMAT,
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "opening_balance": money_text(opening), "closing_balance": money_text(closing),
        "income": {"rows": income, "total": money_text(income_total), "donors": donors,
                   "by_donor": grouped(income, "donor"),
                   "by_kind": grouped(income, "donor_kind")},
        "payouts": {"rows": payouts, "total": money_text(payout_total), "people": people,
                    "by_town": grouped(payouts, "town"), "by_category": grouped(payouts, "category")},
        "pledges": {"rows": pledges, "outstanding": money_text(sum((Decimal(r["outstanding"]) for r in pledges),
                                                               start=ZERO))},
        SECTION: publicity,
        **sections,
    }

