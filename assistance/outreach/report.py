"""The per-town report of outreach (应助未助) for a year, as a screen and an .xlsx download: of the
families civil affairs found eligible, how many applied, how many are being followed up, how
many declined, could not be reached, moved away or died, and how many have no task yet.

Every eligible family is in exactly one of those columns (a partition, so they add up to the
eligible count): applied if an application exists for the person and year (or the task closed
as applied), else by its task — open, or closed with its outcome — else not yet followed up (its
decision is younger than OUTREACH_AFTER_DAYS, or the daily run has not reached it). Counts only:
no personal data, so the download is not an export of personal data (no ExportLog row)."""
import datetime as dt
import io
from dataclasses import dataclass, fields

from django.db.models import Case, Count, F, Q, When
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy as _

from fundportal.csvsafe import safe_cell
from fundportal.models import Region

from ..access import sees_all_medical_data
from ..review.models import ReviewCase
from .models import Outcome, OutreachTask
from .selectors import has_applied

COLUMNS = [  # (attribute, heading), in the order of the screen and the sheet
    ("eligible", _("认定符合")), ("applied", _("已申请")), ("open", _("跟进中")), ("overdue", _("其中逾期未联系")),
    ("declined", _("放弃申请")), ("unreachable", _("无法联系")), ("moved", _("已迁出")), ("died", _("已去世")),
    ("not_followed", _("尚未生成跟进")),
]


@dataclass
class OutreachRow:
    area: str
    eligible: int = 0
    applied: int = 0
    open: int = 0
    overdue: int = 0  # of the open ones
    declined: int = 0
    unreachable: int = 0
    moved: int = 0
    died: int = 0
    not_followed: int = 0

    def counts(self) -> list[int]:
        return [getattr(self, name) for name, _heading in COLUMNS]


_TOWN_OF_CASE = Case(When(region__level=Region.Level.TOWN, then=F("region_id")), default=F("region__parent_id"))


def _by_village(user) -> bool:
    """A village officer's report has one row, their village (as the review's report)."""
    return (not sees_all_medical_data(user) and user.region is not None
            and user.region.level == Region.Level.VILLAGE)


def report_area_title(*, user) -> str:
    return gettext("村（社区）") if _by_village(user) else gettext("乡镇/街道")


def _in_area(cases, user):
    """The cases the user may count: those of their area (auditors: all), none for a role that
    may not see outreach or an officer without an area."""
    if not user.has_perm("assistance.view_outreachtask"):
        return cases.none()
    if sees_all_medical_data(user):
        return cases
    if user.region is None:
        return cases.none()
    return cases.filter(region__path__startswith=user.region.path)


def eligible_cases_for_user(*, user, year: int):
    return _in_area(ReviewCase.objects.filter(state=ReviewCase.State.ELIGIBLE, year=year), user)


def report_years(*, user) -> list[int]:
    """The years with eligible families in the user's area, newest first."""
    cases = _in_area(ReviewCase.objects.filter(state=ReviewCase.State.ELIGIBLE), user)
    return sorted(set(cases.order_by().values_list("year", flat=True).distinct()), reverse=True)


def outreach_report(*, user, year: int, day: dt.date | None = None) -> list[OutreachRow]:
    """One row per town of the user's area (per village for a village officer), in one grouped
    query, sorted by name; the last row is the total."""
    day = day or timezone.localdate()
    closed_with = {outcome: Q(applied=False, outreach_task__state=OutreachTask.State.CLOSED,
                              outreach_task__outcome=outcome)
                   for outcome in (Outcome.DECLINED, Outcome.UNREACHABLE, Outcome.MOVED, Outcome.DIED)}
    opened = Q(applied=False, outreach_task__state=OutreachTask.State.OPEN)
    area = F("region_id") if _by_village(user) else _TOWN_OF_CASE
    grouped = (eligible_cases_for_user(user=user, year=year).annotate(applied=has_applied(), area=area)
               .values("area").annotate(
                   eligible=Count("id"),
                   applied_count=Count("id", filter=Q(applied=True) | Q(outreach_task__outcome=Outcome.APPLIED)),
                   open=Count("id", filter=opened),
                   overdue=Count("id", filter=opened & Q(outreach_task__due_on__lt=day)),
                   declined=Count("id", filter=closed_with[Outcome.DECLINED]),
                   unreachable=Count("id", filter=closed_with[Outcome.UNREACHABLE]),
                   moved=Count("id", filter=closed_with[Outcome.MOVED]),
                   died=Count("id", filter=closed_with[Outcome.DIED]),
                   not_followed=Count("id", filter=Q(applied=False, outreach_task__isnull=True)))
               .order_by())
    names = dict(Region.objects.filter(pk__in=[row["area"] for row in grouped]).values_list("pk", "name"))
    rows = [OutreachRow(area=names.get(row["area"], "—"), eligible=row["eligible"], applied=row["applied_count"],
                        **{name: row[name] for name, _heading in COLUMNS if name not in ("eligible", "applied")})
            for row in grouped]
    rows.sort(key=lambda row: row.area)
    total = OutreachRow(area=gettext("合计"), **{
        field.name: sum(getattr(row, field.name) for row in rows) for field in fields(OutreachRow)
        if field.name != "area"})
    return [*rows, total]


def report_xlsx(rows: list[OutreachRow], *, year: int, area_title: str) -> bytes:
    """The report as an .xlsx workbook: a title line, the headings, one line per area and the
    total; text cells made safe from formulas (a region named "=…" stays text)."""
    from openpyxl import Workbook  # only the download needs it

    book = Workbook()
    sheet = book.active
    sheet.title = gettext("应助未助")
    sheet.append([safe_cell(gettext("%(year)s 年应助未助跟进情况（按%(area)s），%(day)s") % {
        "year": year, "area": area_title, "day": f"{timezone.localdate():%Y-%m-%d}"})])
    sheet.append([safe_cell(area_title), *[safe_cell(str(heading)) for _name, heading in COLUMNS]])
    for row in rows:
        sheet.append([safe_cell(row.area), *row.counts()])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
