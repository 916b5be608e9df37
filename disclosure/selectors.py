"""Reads for the public pages: the fund at a glance, from published statements only (what the
public sees is always what was published, never a figure still moving)."""
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext

from . import charts
from .funnel import SECTION as FUNNEL, FunnelTable, funnel_chart, funnel_shown
from .models import Statement

ZERO = Decimal("0.00")


@dataclass
class Overview:
    received: Decimal = ZERO
    paid: Decimal = ZERO
    balance: Decimal = ZERO
    donors: int = 0
    people: int = 0
    as_of: str = ""
    timeline: str = ""
    timeline_yearly: bool = False  # the months span more than the month chart shows: drawn by year
    timeline_cut: int = 0  # the years drawn, when older ones are left out
    by_town: str = ""
    by_category: str = ""
    by_kind: str = ""
    months: list = field(default_factory=list)
    funnel: FunnelTable | None = None  # the latest published year statement's funnel
    funnel_chart: str = ""
    funnel_statement: Statement | None = None


def latest_funnel() -> tuple[Statement | None, FunnelTable | None, str]:
    """The latest published year statement with a funnel (format 3 on), its table and its chart."""
    statement = (Statement.objects.filter(state=Statement.State.PUBLISHED, kind=Statement.Kind.YEAR,
                                          content__has_key=FUNNEL).order_by("-period_end", "-sequence")
                 .first())
    if statement is None:
        return None, None, ""
    table = funnel_shown(statement)
    return statement, table, funnel_chart(table)


def published_periods() -> list[Statement]:
    """The finest published statements that never overlap: every month, then the quarters the
    months leave uncovered, then the years (a fund that publishes 2023 monthly and 2024 quarterly is
    added up over both, not stopped at 2023)."""
    chosen: list[Statement] = []
    for kind in (Statement.Kind.MONTH, Statement.Kind.QUARTER, Statement.Kind.YEAR):
        for statement in Statement.objects.filter(state=Statement.State.PUBLISHED, kind=kind).order_by("period_start"):
            if not any(statement.period_start <= other.period_end and other.period_start <= statement.period_end
                       for other in chosen):
                chosen.append(statement)
    return sorted(chosen, key=lambda statement: statement.period_start)


def _counted(months: list[Statement]) -> tuple[int, int]:
    """Donors and people assisted: exact per statement (counted by person when it was built), so a
    year's statement gives the year's figure; months of a year without a published year statement
    are added month by month (someone in two of them counts twice)."""
    years = {s.period_start.year: s for s in Statement.objects.filter(state=Statement.State.PUBLISHED,
                                                                      kind=Statement.Kind.YEAR)}
    donors = people = 0
    for statement in [*years.values(), *(m for m in months if m.period_start.year not in years)]:
        donors += statement.content["income"].get("donors", 0)
        people += statement.content["payouts"]["people"]
    return donors, people


def overview() -> Overview:
    """Totals over the published statements (published_periods); breakdowns summed over their rows."""
    months = published_periods()
    source, table, chart = latest_funnel()
    if not months:
        return Overview(funnel=table, funnel_chart=chart, funnel_statement=source)
    towns, categories, kinds = {}, {}, {}
    for statement in months:
        content = statement.content
        for row in content["income"]["rows"]:
            kinds[row["donor_kind"]] = kinds.get(row["donor_kind"], ZERO) + Decimal(row["amount"])
        for row in content["payouts"]["rows"]:
            towns[row["town"] or "—"] = towns.get(row["town"] or "—", ZERO) + Decimal(row["amount"])
            categories[row["category"] or "—"] = categories.get(row["category"] or "—", ZERO) + Decimal(row["amount"])
    donors, people = _counted(months)

    def ranked(sums: dict) -> list:
        return sorted(sums.items(), key=lambda item: (-item[1], item[0]))

    points = [(s.period_start, Decimal(s.content["income"]["total"]), Decimal(s.content["payouts"]["total"]),
               Decimal(s.content["closing_balance"])) for s in months]
    # Quarters or years among them: drawn by year (a quarter is no month's bar).
    yearly = charts.spans_years(points) or any(s.kind != Statement.Kind.MONTH for s in months)
    first_year, last_year = points[0][0].year, points[-1][0].year
    cut = charts.YEARS_SHOWN if yearly and last_year - first_year + 1 > charts.YEARS_SHOWN else 0
    return Overview(
        received=sum((p[1] for p in points), start=ZERO), paid=sum((p[2] for p in points), start=ZERO),
        balance=points[-1][3], donors=donors, people=people,
        as_of=months[-1].period_end.isoformat(),
        timeline=charts.timeline(charts.by_year(points) if yearly else points, yearly=yearly,
                                 title=gettext("每年收入、救助支出和年末余额") if yearly
                                 else gettext("每月收入、救助支出和余额")),
        timeline_yearly=yearly, timeline_cut=cut,
        by_town=charts.bars(ranked(towns), title=gettext("救助金按乡镇（街道）")),
        by_category=charts.bars(ranked(categories), title=gettext("救助金按认定类别")),
        by_kind=charts.bars(ranked(kinds), colour=charts.COLOURS["income"], title=gettext("捐赠收入按捐赠方类别")),
        months=months, funnel=table, funnel_chart=chart, funnel_statement=source)
