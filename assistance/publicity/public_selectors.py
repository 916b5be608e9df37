"""Reads for the public 公示 pages, the notice PDF and the public API: only what was posted (line,
masked name, village, category, amount), the period and the objection counts. Nothing here reads
the application, the person or the resolution item behind an entry.

An objection's look-up answers None for a wrong code exactly as for a missing number, so the
page cannot be used to learn which numbers exist (as donations.selectors.receipt_find_for_public).
"""
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, Count, IntegerField, QuerySet, Sum, Value, When
from django.utils import timezone

from fundportal.lookups import code_matches
from fundportal.models import Region
from fundportal.text import clean_code

from .models import Objection, Publicity, PublicityEntry
from .selectors import objection_count_expressions, publicity_entries_public


def publicities_public(*, day: dt.date | None = None) -> QuerySet[Publicity]:
    """Every posted 公示, those open today first, then the latest; each with its number of entries
    and its objection counts (received, upheld, dismissed, open) in one query."""
    day = day or timezone.localdate()
    counts = objection_count_expressions("entries__objections")
    return (Publicity.objects.filter(starts_on__lte=day).select_related("resolution")
            .annotate(entry_count=Count("entries", distinct=True), received=counts["received"],
                      upheld=counts["upheld"], dismissed=counts["dismissed"], still_open=counts["open"],
                      current=Case(When(ends_on__gte=day, then=Value(0)), default=Value(1),
                                   output_field=IntegerField()))
            .order_by("current", "-starts_on", "-id"))


def publicity_public(pk: int, *, day: dt.date | None = None) -> Publicity | None:
    return publicities_public(day=day).filter(pk=pk).first()


@dataclass
class Area:
    """A town/street or village/community of a 公示, with how many lines and how much it holds."""

    code: str
    name: str
    level: str
    count: int = 0
    total: Decimal = Decimal("0.00")
    villages: list["Area"] = field(default_factory=list)


def _town_code(path: str) -> str:
    """The town/street above a region (its own code if it is one): the second code of its path."""
    codes = path.strip("/").split("/")
    return codes[1] if len(codes) > 1 else codes[0]


def publicity_towns(publicity: Publicity) -> list[Area]:
    """The towns/streets of a 公示, each with its villages/communities, in the order of the tree."""
    rows = (publicity.entries.values("region__code", "region__name", "region__level", "region__path")
            .annotate(count=Count("pk"), total=Sum("amount")).order_by("region__path"))
    rows = list(rows)
    names = dict(Region.objects.filter(code__in={_town_code(row["region__path"]) for row in rows})
                 .values_list("code", "name"))
    towns: dict[str, Area] = {}
    for row in rows:
        code = _town_code(row["region__path"])
        town = towns.setdefault(code, Area(code=code, name=names.get(code, code), level=Region.Level.TOWN))
        town.count += row["count"]
        town.total += row["total"]
        if row["region__code"] != code:
            town.villages.append(Area(code=row["region__code"], name=row["region__name"],
                                      level=row["region__level"], count=row["count"], total=row["total"]))
    return list(towns.values())


def publicity_area(publicity: Publicity, code: str) -> Region | None:
    """The town/street or village/community `code`, when the 公示 has lines in it (else None)."""
    region = Region.objects.select_related("parent").filter(
        code=code, level__in=[Region.Level.TOWN, Region.Level.VILLAGE]).first()
    if region is None or not publicity.entries.filter(region__path__startswith=region.path).exists():
        return None
    return region


def area_entries(publicity: Publicity, region: Region) -> QuerySet[PublicityEntry]:
    return publicity_entries_public(publicity, region_path=region.path)


def entry_public(publicity: Publicity, line: int) -> PublicityEntry | None:
    return publicity_entries_public(publicity).filter(line=line).first()


def objection_find_for_public(*, number: str, code: str) -> Objection | None:
    """The objection if number and code both match, else None — the same None, at the same cost,
    for a wrong code and a missing number (fundportal.lookups.code_matches). Only the public line
    it is against comes with it."""
    objection = (Objection.objects.select_related("entry__publicity__resolution", "entry__region")
                 .filter(number=clean_code(number)).first())
    return objection if code_matches(objection.lookup_code if objection else None, code) else None

