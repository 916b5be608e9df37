"""Reads for the public pages: the fund at a glance, from published statements only (what the
public sees is always what was published, never a figure still moving)."""
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext

from . import charts
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
    by_town: str = ""
    by_category: str = ""
    by_kind: str = ""
    months: list = field(default_factory=list)


def published_months() -> list[Statement]:
    return list(Statement.objects.filter(state=Statement.State.PUBLISHED, kind=Statement.Kind.MONTH)
                .order_by("period_start"))


def overview() -> Overview:
    """Totals over the published monthly statements; breakdowns summed over their rows."""
    months = published_months()
    if not months:
        return Overview()
    towns, categories, kinds, donors, people = {}, {}, {}, set(), set()
    anonymous = 0
    for statement in months:
        content = statement.content
        for row in content["income"]["rows"]:
            kinds[row["donor_kind"]] = kinds.get(row["donor_kind"], ZERO) + Decimal(row["amount"])
            if row["donor_kind"] == "匿名":
                anonymous += 1
            else:
                donors.add(row["donor"])
        for row in content["payouts"]["rows"]:
            towns[row["town"] or "—"] = towns.get(row["town"] or "—", ZERO) + Decimal(row["amount"])
            categories[row["category"] or "—"] = categories.get(row["category"] or "—", ZERO) + Decimal(row["amount"])
            people.add((row["name"], row["town"], row["category"]))

    def ranked(sums: dict) -> list:
        return sorted(sums.items(), key=lambda item: (-item[1], item[0]))

    points = [(f"{s.period_start.month}" if len({m.period_start.year for m in months}) == 1 else f"{s.period_start:%y/%m}",
               Decimal(s.content["income"]["total"]), Decimal(s.content["payouts"]["total"]),
               Decimal(s.content["closing_balance"])) for s in months]
    return Overview(
        received=sum((p[1] for p in points), start=ZERO), paid=sum((p[2] for p in points), start=ZERO),
        balance=points[-1][3], donors=len(donors) + anonymous, people=len(people),
        as_of=months[-1].period_end.isoformat(),
        timeline=charts.timeline(points, title=gettext("每月收入、救助支出和余额")),
        by_town=charts.bars(ranked(towns), title=gettext("救助金按乡镇（街道）")),
        by_category=charts.bars(ranked(categories), title=gettext("救助金按认定类别")),
        by_kind=charts.bars(ranked(kinds), colour=charts.COLOURS["income"], title=gettext("捐赠收入按捐赠方类别")),
        months=months)
