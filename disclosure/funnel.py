"""The year statement's section 救助工作进度 (the funnel): how far the people of one cost year got,
stage by stage, by town/street. Counts only — never a name, an ID or anything about one person —
with the small ones hidden by the rule of disclosure/suppression.py.

Which year. Money and statements run by calendar year; the assistance works on the medical costs of
the year before (the fund screened 2022's settlements in 2023; ScreeningRun.year, ReviewCase.year,
Application.year and Scheme.year are all that cost year). So the year statement of year Y reports
the cost year Y − COST_YEAR_LAG: the 2023 statement tells how the 2022 costs were handled. The
section says which cost year it is ("cost_year"), and the pages say it in words.

The stages, each counting people (distinct persons) of the stage before, by the town/street of the
person's household region (InsuredPerson.region: the town itself, or the town above a village):
- screened: on the target list (WarningTarget) of a finished screening run of the cost year;
- shared: on the list of such a run that the MSB shared with civil affairs;
- verified: of those, with the year's review case verified (甄别) or further on — verified, returned
  for another verification, found eligible or not eligible;
- eligible: of those, found eligible (认定符合);
- applied: of those, with an application for the year (not withdrawn);
- approved: of those, with an application the council approved (approved or paid);
- paid: of those, with an application paid (the bank confirmed it);
- not_applied: eligible − applied (应助未助).
People who applied without being on a shared list are not in the funnel (their payments are in the
statement's payouts). A person whose region is no town of the city counts in the merged row.
The counts are those when the statement is built; publication builds the section again under the
chain head's lock (disclosure/services.py), so what is published is the count at publication.

Document format 3: a year statement built with this section says "format": 3 and carries
content["funnel"]; statements of other kinds have nothing new and are still written as format 2;
earlier documents (formats 1 and 2) are shown, served and verified exactly as they were published.
"""
import csv
import io
from dataclasses import dataclass

from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Q, When

from assistance.models import Application, ReviewCase, ScreeningRun, WarningTarget
from fundportal.csvsafe import safe_cell
from fundportal.models import Region

from . import charts
from .labels import label_shown
from .suppression import MERGED, MIN_GROUP, STAGES, TOTAL, Town, merged, suppressed, totals

FORMAT = 3  # a year statement's content format: 3 adds the section "funnel"
SECTION = "funnel"
COST_YEAR_LAG = 1
VERIFIED_ON = [ReviewCase.State.VERIFIED, ReviewCase.State.RETURNED, ReviewCase.State.ELIGIBLE,
               ReviewCase.State.NOT_ELIGIBLE]
APPROVED = [Application.State.APPROVED, Application.State.PAID]
HIDDEN = "*"  # how a hidden cell is shown (pages and CSV); null in the JSON
# The published words, in Chinese: shown in the reader's language by disclosure/labels.py.
LABELS = {"screened": "筛查预警", "shared": "推送民政", "verified": "完成甄别", "eligible": "认定符合",
          "applied": "已申请", "approved": "已批准", "paid": "已发放", "not_applied": "应助未助"}


def cost_year_for(statement_year: int) -> int:
    return statement_year - COST_YEAR_LAG


def _town(prefix: str) -> Case:
    """The town/street of a region (its own id for a town, its parent's for a village; else null)."""
    return Case(When(**{f"{prefix}__level": Region.Level.TOWN}, then=F(f"{prefix}_id")),
                When(**{f"{prefix}__level": Region.Level.VILLAGE}, then=F(f"{prefix}__parent_id")),
                default=None, output_field=IntegerField())


def _by_town(queryset) -> dict[int | None, int]:
    """One aggregate query: distinct people per town of their household region."""
    rows = (queryset.annotate(town=_town("person__region")).values("town")
            .annotate(people=Count("person_id", distinct=True)).order_by())
    return {row["town"]: row["people"] for row in rows}


def stage_counts(cost_year: int) -> dict[str, dict[int | None, int]]:
    """stage → town id (None: no town of the city) → people; one query per stage."""
    targets = WarningTarget.objects.filter(run__year=cost_year, run__state=ScreeningRun.State.DONE)
    shared = targets.filter(run__shared_at__isnull=False)
    cases = ReviewCase.objects.filter(year=cost_year, person_id__in=shared.values("person_id"))
    eligible = cases.filter(state=ReviewCase.State.ELIGIBLE)

    def has_application(states: Q) -> Exists:
        return Exists(Application.objects.filter(states, person_id=OuterRef("person_id"), year=cost_year))

    counts = {
        "screened": _by_town(targets), "shared": _by_town(shared),
        "verified": _by_town(cases.filter(state__in=VERIFIED_ON)), "eligible": _by_town(eligible),
        "applied": _by_town(eligible.filter(has_application(~Q(state=Application.State.WITHDRAWN)))),
        "approved": _by_town(eligible.filter(has_application(Q(state__in=APPROVED)))),
        "paid": _by_town(eligible.filter(has_application(Q(state=Application.State.PAID)))),
    }
    towns = {town for stage in counts.values() for town in stage}
    counts["not_applied"] = {town: counts["eligible"].get(town, 0) - counts["applied"].get(town, 0)
                             for town in towns}
    return counts


def funnel_towns(cost_year: int) -> tuple[list[Town], dict[str, int]]:
    """Every town with anyone in the funnel, and the people of no town, before any merging."""
    counts = stage_counts(cost_year)
    ids = {town for stage in counts.values() for town in stage} - {None}
    regions = Region.objects.in_bulk(ids)
    towns = [Town(code=regions[town].code, name=regions[town].name,
                  counts={stage: counts[stage].get(town, 0) for stage in STAGES}) for town in ids]
    return towns, {stage: counts[stage].get(None, 0) for stage in STAGES}


def _published(counts: dict[str, int], hidden: set[str]) -> dict:
    return {"counts": {stage: None if stage in hidden else counts[stage] for stage in STAGES},
            "suppressed": [stage for stage in STAGES if stage in hidden]}


def funnel_section(statement_year: int) -> dict:
    """The section as published: the rows (towns, then the merged row), the city total, the cost
    year, and which cells are hidden (null, named in the row's "suppressed")."""
    cost_year = cost_year_for(statement_year)
    towns, unplaced = funnel_towns(cost_year)
    rows = merged(towns, unplaced=unplaced)
    total = totals(rows)
    hidden = suppressed([row.counts for row in rows], total)
    published = []
    for index, row in enumerate(rows):
        cells = {stage for row_index, stage in hidden if row_index == index}
        published.append({"town": row.name, "code": row.code, "merged": row.name == MERGED and not row.code,
                          **_published(row.counts, cells)})
    return {"cost_year": cost_year, "stages": list(STAGES), "min_group": MIN_GROUP, "rows": published,
            "total": _published(total, {stage for row_index, stage in hidden if row_index == TOTAL})}


# --- showing a published section ----------------------------------------------------------------

@dataclass(frozen=True)
class FunnelRow:
    town: str  # as published (Chinese); the merged row's name is a label
    merged: bool
    cells: list[int | None]  # in STAGES order; None: hidden


@dataclass(frozen=True)
class FunnelTable:
    year: int  # the statement's year: the assistance of that year
    cost_year: int  # the medical costs it worked on
    stages: list[str]  # the published (Chinese) stage words, in order
    rows: list[FunnelRow]
    total: FunnelRow

    @property
    def has_hidden(self) -> bool:
        return any(cell is None for row in [*self.rows, self.total] for cell in row.cells)

    def chart_rows(self) -> list[tuple[str, int | None]]:
        """The city's stages in order, for the funnel chart (not_applied last: drawn apart)."""
        return list(zip(self.stages, self.total.cells))


def funnel_table(section: dict, *, year: int) -> FunnelTable:
    stages = section["stages"]

    def row(data: dict, town: str, is_merged: bool) -> FunnelRow:
        return FunnelRow(town=town, merged=is_merged, cells=[data["counts"][stage] for stage in stages])

    return FunnelTable(year=year, cost_year=section["cost_year"], stages=[LABELS.get(stage, stage) for stage in stages],
                       rows=[row(r, r["town"], r["merged"]) for r in section["rows"]],
                       total=row(section["total"], "合计", False))


def funnel_shown(statement) -> FunnelTable | None:
    """A statement's funnel (a year statement of format 3 on), ready to show; None for any other."""
    section = statement.content.get(SECTION)
    return funnel_table(section, year=statement.period_start.year) if section else None


def funnel_chart(table: FunnelTable | None) -> str:
    """The city's stages as a funnel, in the reader's language ("" without a funnel)."""
    if table is None or not table.rows:
        return ""
    return charts.funnel([(label_shown(label), people) for label, people in table.chart_rows()],
                         title=label_shown("救助工作进度"), apart=1)


CSV_HEADER = "乡镇（街道）"


def funnel_csv(section: dict) -> bytes:
    """The section as CSV (UTF-8 with BOM for Excel): one row per town, the merged row, the city
    total; a hidden cell is HIDDEN."""
    table = funnel_table(section, year=section["cost_year"] + COST_YEAR_LAG)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([CSV_HEADER, *table.stages])
    for row in [*table.rows, table.total]:
        writer.writerow([safe_cell(row.town), *(HIDDEN if cell is None else cell for cell in row.cells)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
