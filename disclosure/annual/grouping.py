"""The annual report's payouts by town/street, with no group small enough to point at a family: a
pure rule on numbers, tested as a rule.

The year statement already lists every payment (masked name, town, amount), so amounts per town
are no secret; what the annual report adds is a head count per town, and a town where two people
were assisted is a village's gossip away from naming them. So, as the funnel does
(disclosure/suppression.py rule 1, MIN_GROUP):

1. a town with fewer than MIN_GROUP people assisted is counted in the merged row MERGED;
2. while the merged row holds 1 to MIN_GROUP − 1 people and other towns remain, the town with the
   fewest people (then by name) joins it — so no shown count is 1 to MIN_GROUP − 1, except the city's
   total when the whole city assisted so few (a city-wide count names no one), and no count can be
   worked out from the total and the others (every row is shown; none is hidden).
"""
from dataclasses import dataclass
from decimal import Decimal

from ..suppression import MERGED, MIN_GROUP


@dataclass(frozen=True)
class Group:
    name: str
    people: int
    amount: Decimal


def _merge(rows: list[Group]) -> Group:
    return Group(name=MERGED, people=sum(row.people for row in rows),
                 amount=sum((row.amount for row in rows), start=Decimal("0.00")))


def towns_grouped(towns: list[Group]) -> list[Group]:
    """The published rows: the towns shown alone, largest amount first, then the merged row (if any)."""
    shown = [town for town in towns if town.people >= MIN_GROUP]
    small = [town for town in towns if town.people < MIN_GROUP]
    shown.sort(key=lambda town: (town.people, town.name))
    while small and 0 < sum(town.people for town in small) < MIN_GROUP and shown:
        small.append(shown.pop(0))
    rows = sorted(shown, key=lambda town: (-town.amount, town.name))
    return rows + ([_merge(small)] if small else [])
