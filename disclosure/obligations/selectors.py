"""The calendar's items, from the rules and the recorded data: reads only.

- 年度报告: one per year from the fund's first (the current year's too, due next May); done when its
  annual report is published (disclosure/annual/), linked to it.
- 重大资金变动: a single gift (a ledger income entry not cancelled since) or a payout batch (the sum of
  its paid entries) of at least DISCLOSURE_MAJOR_AMOUNT yuan. A gift's event is its business day,
  a batch's the day of its first payment. Done when a published statement covers that day (the
  statement lists the gift or the payments), linked to the first such one.
- 认捐分期: every pledge instalment (the bank's 600,000 a year among them): done when received in
  full; overdue with its arrears otherwise. The donors are reminded by SMS (donations/notices.py)
  and finance by the pledges' own work-queue kind (donations/queue.py), so the calendar's queue
  kind leaves them out — they are shown here, not counted twice.
- 关联交易 (related-party dealings): the data has no related-party marker, so none can be found
  (RELATED_PARTY_NOTE, shown on the page).

An item is overdue when it is not done and its due date has passed; done late when it was done after.
"""
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import DateField, Max, Min, Q, Sum
from django.db.models.functions import Coalesce, TruncDate
from django.urls import reverse
from django.utils import timezone

from assistance.models import Payout
from donations.models import Donation, Donor, PledgeInstalment
from fundportal.masking import mask_name
from fundportal.models import LedgerEntry
from fundportal.money import format_money

from ..annual.content import years_with_records
from ..models import Statement
from .rules import annual_report_due, major_event_due

ANNUAL, MAJOR_GIFT, MAJOR_BATCH, INSTALMENT = "annual", "major_gift", "major_batch", "instalment"
KIND_LABELS = {ANNUAL: "年度报告", MAJOR_GIFT: "重大资金变动（大额捐赠）", MAJOR_BATCH: "重大资金变动（大额救助金发放）",
               INSTALMENT: "认捐分期"}
DISCLOSURE_KINDS = (ANNUAL, MAJOR_GIFT, MAJOR_BATCH)  # what finance must publish (the queue counts these)
RELATED_PARTY_NOTE = ("关联交易：系统中的捐赠方、受助人和支付记录没有关联方标记，无法自动识别关联交易；"
                      "如发生关联交易，须在发生之日起30日内公开（可发布自定义期间公示或更正说明）。")


@dataclass(frozen=True)
class DueItem:
    kind: str
    what: str
    due_on: dt.date
    event_on: dt.date | None = None
    amount: Decimal | None = None
    done_on: dt.date | None = None
    done_url: str = ""
    done_label: str = ""
    arrears: Decimal | None = None  # an instalment's, when it is not received in full
    exempt: bool = False  # nothing to make public (a past year with nothing recorded)
    today: dt.date | None = None

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def done(self) -> bool:
        return self.done_on is not None

    @property
    def overdue(self) -> bool:
        return not self.done and not self.exempt and self.due_on < (self.today or timezone.localdate())

    @property
    def done_late(self) -> bool:
        return self.done and self.done_on > self.due_on


def _published():
    return Statement.objects.filter(state=Statement.State.PUBLISHED)


def _link(statement: Statement) -> tuple[dt.date, str, str]:
    return (timezone.localdate(statement.published_at), reverse("disclosure:statement", args=[statement.sequence]),
            f"第{statement.sequence}号《{statement.title}》")


def _statements() -> list[Statement]:
    """The published statements, in order: one query for the whole calendar."""
    return list(_published().only("kind", "period_start", "period_end", "sequence", "title", "published_at")
                .order_by("sequence"))


def annual_items(today: dt.date, statements: list[Statement]) -> list[DueItem]:
    """A past year in which the ledger recorded nothing has no report to make (publishing one is
    refused): it is shown as such, never overdue."""
    reports = {s.period_start.year: s for s in statements if s.kind == Statement.Kind.ANNUAL}
    active = years_with_records()
    items = []
    for year in range(settings.FUND_START_DATE.year, today.year + 1):
        done = _link(reports[year]) if year in reports else (None, "", "")
        items.append(DueItem(kind=ANNUAL, what=f"{year}年度工作报告及财务会计报告", due_on=annual_report_due(year),
                             event_on=dt.date(year, 12, 31), done_on=done[0], done_url=done[1], done_label=done[2],
                             exempt=year < today.year and year not in active and year not in reports, today=today))
    return items


def _covering(statements: list[Statement], day: dt.date) -> Statement | None:
    """The first published statement (of any kind listing gifts and payments) whose period holds the day."""
    return next((s for s in statements if s.period_start <= day <= s.period_end), None)


def _giver(donation: Donation) -> str:
    if donation.is_anonymous or donation.donor is None:
        return "匿名"
    return mask_name(donation.donor.name) if donation.donor.kind == Donor.Kind.INDIVIDUAL else donation.donor.name


def major_items(today: dt.date, statements: list[Statement], *, names: bool = True) -> list[DueItem]:
    """The major gifts and payout batches (two queries; a third for the givers' names, when wanted)."""
    threshold = settings.DISCLOSURE_MAJOR_AMOUNT
    statements = [s for s in statements if s.kind not in (Statement.Kind.CORRECTION, Statement.Kind.ANNUAL)]
    day = Coalesce("booked_on", TruncDate("created_at"), output_field=DateField())
    gifts = list(LedgerEntry.objects.annotate(day=day)
                 .filter(kind=LedgerEntry.Kind.INCOME, amount__gte=threshold, reversed_by__isnull=True)
                 .order_by("day", "pk"))
    donations = (Donation.objects.select_related("donor").in_bulk([int(entry.source_id) for entry in gifts])
                 if names and gifts else {})
    events = [(MAJOR_GIFT, f"大额捐赠：{_giver(donations[int(entry.source_id)])}" if names else "大额捐赠",
               entry.day, entry.amount) for entry in gifts]
    batches = (Payout.objects.filter(ledger_entry__isnull=False).values("batch__number")
               .annotate(total=Sum("ledger_entry__amount"),
                         first=Min(Coalesce("ledger_entry__booked_on", TruncDate("ledger_entry__created_at"),
                                            output_field=DateField())))
               .filter(total__lte=-threshold).order_by("first", "batch__number"))
    events += [(MAJOR_BATCH, f"救助金发放批次 {batch['batch__number']}", batch["first"], -batch["total"])
               for batch in batches]
    items = []
    for kind, what, event_on, amount in events:
        covering = _covering(statements, event_on)
        done = _link(covering) if covering else (None, "", "")
        items.append(DueItem(kind=kind, what=f"{what}，{format_money(amount)}元", due_on=major_event_due(event_on),
                             event_on=event_on, amount=amount, done_on=done[0], done_url=done[1], done_label=done[2],
                             today=today))
    return items


def instalment_items(today: dt.date) -> list[DueItem]:
    received = Q(donations__status=Donation.Status.RECEIVED)
    items = []
    for instalment in (PledgeInstalment.objects.select_related("pledge__donor")
                       .annotate(received=Sum("donations__amount", filter=received),
                                 last=Max("donations__received_on", filter=received))
                       .order_by("due_on", "pk")):
        got = instalment.received or Decimal("0.00")
        donor = instalment.pledge.donor
        name = mask_name(donor.name) if donor.kind == Donor.Kind.INDIVIDUAL else donor.name
        items.append(DueItem(kind=INSTALMENT, what=f"{name} 认捐第{instalment.sequence}期",
                             due_on=instalment.due_on, amount=instalment.amount,
                             done_on=instalment.last if got >= instalment.amount else None,
                             arrears=max(instalment.amount - got, Decimal("0.00")), today=today))
    return items


def calendar_items(*, today: dt.date | None = None) -> list[DueItem]:
    """Every item, by due date (the nearest first among the open ones is the page's order)."""
    today = today or timezone.localdate()
    statements = _statements()
    items = annual_items(today, statements) + major_items(today, statements) + instalment_items(today)
    return sorted(items, key=lambda item: (item.due_on, item.kind, item.what))


def calendar_due_soon(*, today: dt.date | None = None) -> list[DueItem]:
    """What finance must publish that is overdue or due within DISCLOSURE_REMIND_DAYS days: four
    queries, however many rows (the work queue asks this on every landing)."""
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=settings.DISCLOSURE_REMIND_DAYS)
    statements = _statements()
    items = annual_items(today, statements) + major_items(today, statements, names=False)
    return [item for item in items if not item.done and not item.exempt and item.due_on <= horizon]
