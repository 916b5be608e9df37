"""Which assisted families a screening flags for follow-up (防止返贫监测): a pure reading of the
settlements, the paid applications and the registry, so that the flags can be checked against a
reference (tests/followup) and written by one service (services.followup_flag_for_run)."""
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Sum

from ..applications.models import Application
from ..intake.models import InsuredPerson, SettlementRecord

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Flag:
    person_id: int
    region_id: int
    over_threshold: bool
    sharp_rise: bool
    died: bool
    out_of_pocket: Decimal
    previous_out_of_pocket: Decimal
    assisted_years: tuple[int, ...]


def beneficiaries_before(year: int) -> dict[int, tuple[int, ...]]:
    """People paid for an earlier cost year (person → those years, in order)."""
    years: dict[int, set[int]] = {}
    for person_id, paid_year in (Application.objects.filter(state=Application.State.PAID, year__lt=year)
                                 .values_list("person_id", "year").distinct()):
        years.setdefault(person_id, set()).add(paid_year)
    return {person_id: tuple(sorted(found)) for person_id, found in years.items()}


def out_of_pocket_by_person(person_ids, year: int) -> dict[int, Decimal]:
    rows = (SettlementRecord.objects.filter(person_id__in=person_ids, year=year).values("person_id")
            .annotate(total=Sum("out_of_pocket")).order_by())
    return {row["person_id"]: Decimal(row["total"]).quantize(Decimal("0.01")) for row in rows}


def flags_for_year(year: int) -> list[Flag]:
    """Last years' beneficiaries living in the city (not moved away) whose `year` out-of-pocket
    cost reaches FOLLOWUP_THRESHOLD, or rose to at least FOLLOWUP_RISE_RATIO times the year
    before and at least FOLLOWUP_RISE_FLOOR, or who died."""
    threshold = Decimal(settings.FOLLOWUP_THRESHOLD)
    ratio, floor = Decimal(settings.FOLLOWUP_RISE_RATIO), Decimal(settings.FOLLOWUP_RISE_FLOOR)
    assisted = beneficiaries_before(year)
    people = {person.pk: person for person in InsuredPerson.objects.filter(
        pk__in=list(assisted), region__isnull=False, moved_away=False).only("pk", "region_id", "is_deceased")}
    now = out_of_pocket_by_person(list(people), year)
    before = out_of_pocket_by_person(list(people), year - 1)
    flags = []
    for person_id in sorted(people):
        cost, previous = now.get(person_id, ZERO), before.get(person_id, ZERO)
        over = cost >= threshold
        rise = cost >= floor and cost >= previous * ratio
        died = people[person_id].is_deceased
        if over or rise or died:
            flags.append(Flag(person_id=person_id, region_id=people[person_id].region_id, over_threshold=over,
                              sharp_rise=rise, died=died, out_of_pocket=cost, previous_out_of_pocket=previous,
                              assisted_years=assisted[person_id]))
    return flags
