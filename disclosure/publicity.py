"""The statement's section 公示及异议处理情况: which 公示 (posted lists of a resolution's approved
families, assistance/publicity) a statement reports on, and how their objections were handled.
Counts only: the resolution's number, the period, how many entries were posted and how many
objections were received, upheld, dismissed and still open. Never a name, ID, objector, contact or
reason (those stay with the officers; the 公示 page itself shows the masked entries).

Which statement lists a 公示 (the "next statement" of each kind):
- month, quarter and year statements: every 公示 whose period ended on or before the statement's
  period end and that no other published statement of the same kind lists. Each kind keeps its own
  record, so a 公示 ended on 16 June is in the June month statement, the second-quarter statement
  and the year statement, and in none of the later ones of each kind. A 公示 still running at the
  period end waits for the statement after. One that ended while no statement of the kind was
  published (or before this section existed) is caught up by the next one published, so none is
  left out; the year statement, published once a year, lists the 公示 ended in its year.
- custom statements (any period, on demand): the 公示 whose period ended within their period.
- correction notices: none.
The counts are those when the statement is built. Publishing builds the section again, under the
chain head's lock that serialises publications: if an objection moved, or another statement of the
kind listed one of its 公示 meanwhile, publication is refused until the statement is built again —
so the published counts are those at publication, and no 公示 is listed twice by one kind.

Document format: statements built with this section say "format": 2 in their content; content
without "format" (format 1: every statement published before the section existed) has no section
and is shown, served and verified exactly as it was published."""
import datetime as dt

from django.db.models import Count

from assistance.models import Publicity
from assistance.publicity.selectors import objection_counts

from .models import Statement

FORMAT = 2  # the content's format: 2 adds the section "publicity"
SECTION = "publicity"
COUNTS = ("entries", "received", "upheld", "dismissed", "open")


def content_format(content: dict) -> int:
    """The format of a statement's content (1: published before the 公示 section existed)."""
    return content.get("format", 1)


def _listed_elsewhere(kind: str, start: dt.date, end: dt.date) -> set[int]:
    """The 公示 that published statements of this kind, other than this period's, list already."""
    sections = (Statement.objects.filter(state=Statement.State.PUBLISHED, kind=kind)
                .exclude(period_start=start, period_end=end)
                .values_list(f"content__{SECTION}__rows", flat=True))
    return {row["publicity"] for rows in sections if rows for row in rows}


def publicities_for(kind: str, start: dt.date, end: dt.date):
    """The 公示 a statement of this kind and period lists (the rule above), oldest first."""
    if kind == Statement.Kind.CORRECTION:
        return Publicity.objects.none()
    publicities = Publicity.objects.filter(ends_on__lte=end)
    if kind == Statement.Kind.CUSTOM:
        publicities = publicities.filter(ends_on__gte=start)
    else:
        publicities = publicities.exclude(pk__in=_listed_elsewhere(kind, start, end))
    return (publicities.select_related("resolution").annotate(entry_count=Count("entries"))
            .order_by("ends_on", "starts_on", "id"))


def publicity_section(kind: str, start: dt.date, end: dt.date) -> dict:
    """The section as published: one row of counts per 公示, and their totals."""
    rows = []
    for publicity in publicities_for(kind, start, end):
        counts = objection_counts(publicity)  # the same counts as the 公示's own public page
        rows.append({"publicity": publicity.pk, "resolution": str(publicity.resolution.number),
                     "starts_on": publicity.starts_on.isoformat(), "ends_on": publicity.ends_on.isoformat(),
                     "entries": publicity.entry_count, "received": counts.received, "upheld": counts.upheld,
                     "dismissed": counts.dismissed, "open": counts.open})
    return {"rows": rows, "totals": {key: sum(row[key] for row in rows) for key in COUNTS}}
