"""The statement's section 公示及异议处理情况: which 公示 (posted lists of a resolution's approved
families, assistance/publicity) a statement reports on, and how their objections were handled.
Counts only: the resolution's number, the period, how many entries were posted and how many
objections were received, upheld, dismissed and still open. Never a name, ID, objector, contact or
reason (those stay with the officers; the 公示 page itself shows the masked entries).

Which statement lists a 公示 (its "next statement" of each kind: month, quarter, year, custom):
- the statement whose period holds the day its 公示 period ended (ends_on). A 公示 is posted from
  the day of signing and a statement covers only a period that has ended, so this is the first
  statement of each kind built after the 公示 ended: one ended on 16 June is in the June month
  statement, the second-quarter statement and the 2023 year statement (which so lists every 公示
  ended in its year), and in no later one. A 公示 still running at a period's end waits for the
  statement of the period it ends in. Which 公示 a statement lists depends only on its own period,
  so statements built together, or published in any order, never compete for one.
- catching up (month, quarter and year): a 公示 that ended in a period whose statement of the kind
  was published before this section existed (format 1, below) is listed by the next statement of
  the kind built after that one — any later one that no other published statement of the kind
  lists it in already (two such statements built at once: the first published lists it, the other
  is refused at publication and built again, see below).
- correction notices: none.
The counts are those when the statement is built. Publishing builds the section again, under the
chain head's lock that serialises publications: if an objection moved meanwhile (or another
statement caught up one of its 公示), publication is refused until the statement is built again —
so the published counts are those at publication, and no 公示 is listed twice by one kind.

Document format: statements built with this section say "format": 2 in their content; content
without "format" (format 1: every statement published before the section existed) has no section
and is shown, served and verified exactly as it was published."""
import datetime as dt

from django.db.models import Count, Q

from assistance.models import Publicity
from assistance.publicity.selectors import objection_counts

from .models import Statement

FORMAT = 2  # the content's format: 2 adds the section "publicity"
SECTION = "publicity"
COUNTS = ("entries", "received", "upheld", "dismissed", "open")


def content_format(content: dict) -> int:
    """The format of a statement's content (1: published before the 公示 section existed)."""
    return content.get("format", 1)


def _published(kind: str):
    return Statement.objects.filter(state=Statement.State.PUBLISHED, kind=kind)


def _missed(kind: str, start: dt.date, end: dt.date) -> Q | None:
    """The 公示 to catch up: ended before `start` in a period whose statement of this kind was
    published without the section, and listed by no other published statement of the kind."""
    old = list(_published(kind).filter(period_end__lt=start).exclude(content__has_key="format")
               .values_list("period_start", "period_end"))
    if not old:
        return None
    sections = (_published(kind).filter(content__has_key=SECTION).exclude(period_start=start, period_end=end)
                .values_list(f"content__{SECTION}__rows", flat=True))
    listed = {row["publicity"] for rows in sections if rows for row in rows}
    ended_then = Q()
    for first, last in old:
        ended_then |= Q(ends_on__gte=first, ends_on__lte=last)
    return ended_then & ~Q(pk__in=listed)


def publicities_for(kind: str, start: dt.date, end: dt.date):
    """The 公示 a statement of this kind and period lists (the rule above), in the order they ended."""
    if kind == Statement.Kind.CORRECTION:
        return Publicity.objects.none()
    wanted = Q(ends_on__gte=start, ends_on__lte=end)
    if kind != Statement.Kind.CUSTOM and (missed := _missed(kind, start, end)) is not None:
        wanted |= missed
    return (Publicity.objects.filter(wanted).select_related("resolution").annotate(entry_count=Count("entries"))
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
