"""What the annual report's page and PDF show (disclosure/pages.py renders them at publication, as
every statement's): the published content, its charts drawn in the reader's language, its funnel."""
from decimal import Decimal

from django.utils.translation import gettext

from .. import charts, funnel
from ..labels import label_shown
from ..models import Statement


def _bars(rows: list[dict], key: str, title: str, **options) -> str:
    return charts.bars([(label_shown(row[key]) if row[key] else "—", Decimal(row["amount"])) for row in rows],
                       title=title, **options)


def content_context(content: dict) -> dict:
    """The charts and funnel of a report's content (published, or a preview on the staff page)."""
    section = content["work"]["funnel"]
    table = funnel.funnel_table(section, year=content["year"]) if section else None
    return {"content": content, "work": content["work"], "finance": content["finance"],
            "funnel": table, "funnel_chart": funnel.funnel_chart(table),
            "charts": {
                "by_town": _bars(content["work"]["payouts_by_town"], "town", gettext("救助金按乡镇（街道）")),
                "by_category": _bars(content["work"]["payouts_by_category"], "category", gettext("救助金按认定类别")),
                "by_kind": _bars(content["finance"]["income"]["by_kind"], "donor_kind",
                                 gettext("捐赠收入按捐赠方类别"), colour=charts.COLOURS["income"]),
            }}


def report_context(statement: Statement) -> dict:
    corrections = list(Statement.objects.filter(corrects=statement, state=Statement.State.PUBLISHED)
                       .order_by("sequence"))
    return {"statement": statement, "corrections": corrections, **content_context(statement.content)}
