"""The funnel counts what its rule says (disclosure/funnel.py): distinct people, each stage among the
people of the stage before, by the town of their household region — equal to what the database
holds, on generated years across towns, villages and every stage, with the cases it must leave
out (self-applicants, failed and other years' runs, withdrawn or other years' applications)."""
import random

import pytest

from disclosure.funnel import funnel_section, stage_counts
from disclosure.suppression import MERGED, MIN_GROUP, STAGES
from tests.funnel.helpers import YEAR, Year, random_year

pytestmark = pytest.mark.django_db


def nonzero(counts: dict) -> dict:
    return {stage: {town: n for town, n in by_town.items() if n} for stage, by_town in counts.items()}


@pytest.mark.parametrize("seed", range(6))
def test_the_counts_equal_the_people_in_the_database(seed, msb, clerk, places):
    year = random_year(msb=msb, clerk=clerk, places=places, seed=seed, people=40 + 15 * seed)
    assert nonzero(stage_counts(YEAR)) == year.counts()


def test_each_stage_is_among_the_stage_before_and_not_applied_is_eligible_minus_applied(msb, clerk, places):
    random_year(msb=msb, clerk=clerk, places=places, seed=7, people=150)
    counts = stage_counts(YEAR)
    towns = {town for by_town in counts.values() for town in by_town}
    for town in towns:
        column = [counts[stage].get(town, 0) for stage in STAGES[:-1]]
        assert column == sorted(column, reverse=True)
        assert counts["not_applied"].get(town, 0) == counts["eligible"].get(town, 0) - counts["applied"].get(town, 0)


def test_a_year_with_nothing_screened_has_no_rows(msb, clerk, places):
    random_year(msb=msb, clerk=clerk, places=places, seed=3, people=30)
    section = funnel_section(YEAR + 2)  # the statement of 2024 tells about 2023's costs: none here
    assert section["cost_year"] == YEAR + 1 and section["rows"] == []
    assert section["total"]["counts"] == dict.fromkeys(STAGES, 0) and section["total"]["suppressed"] == []


def test_the_section_merges_small_towns_and_hides_small_counts(msb, clerk, places, regions):
    year, rng = Year(msb=msb, clerk=clerk), random.Random(1)
    for region, stages in ((regions["hantian"], (("paid", 9), ("eligible", 2), ("screened", 6), ("applied", 5))),
                           (regions["anyang"], (("paid", 5), ("screened", 6))),
                           (regions["mayu"], (("paid", 3),))):
        for stage, count in stages:
            for _ in range(count):
                year.reaching(stage, region, rng)
    year.reaching("shared", None, rng)  # no town of the city
    section = funnel_section(YEAR + 1)
    # 安阳街道 (11 people), 塘下镇 (22, through its village 韩田村), then 马屿镇's 3 and the one of no town.
    assert [row["town"] for row in section["rows"]] == ["安阳街道", "塘下镇", MERGED]
    anyang, tangxia, merged = section["rows"]
    assert tangxia["code"] == "330381101000" and merged["merged"] is True and merged["code"] == ""
    assert section["total"]["counts"]["screened"] == 37 and tangxia["counts"]["screened"] == 22
    # The merged row's 4 is hidden, and so, to keep it from being total − the others, is 安阳街道's
    # 11 (the smallest count that is not 0), never the city's total.
    assert merged["counts"]["screened"] is None and anyang["counts"]["screened"] is None
    # 塘下镇's 应助未助 is 2: hidden, and so is what it could be worked out from.
    assert tangxia["counts"]["not_applied"] is None
    assert tangxia["counts"]["applied"] is None or tangxia["counts"]["eligible"] is None
    published = [row["counts"][stage] for row in [*section["rows"], section["total"]] for stage in STAGES]
    assert all(value is None or value == 0 or value >= MIN_GROUP for value in published)
    for row in [*section["rows"], section["total"]]:
        assert row["suppressed"] == [stage for stage, value in row["counts"].items() if value is None]


def test_the_stages_take_one_query_each_however_many_people(msb, clerk, places, django_assert_num_queries):
    random_year(msb=msb, clerk=clerk, places=places, seed=11, people=200)
    with django_assert_num_queries(7):
        stage_counts(YEAR)
    with django_assert_num_queries(8):  # and the towns' names
        funnel_section(YEAR + 1)
