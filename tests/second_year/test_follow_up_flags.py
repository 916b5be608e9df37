"""Follow-up of assisted families (防止返贫监测): when a screening of cost year Y is shared, last
years' beneficiaries (paid for a year before Y) living in the city are flagged when their Y
out-of-pocket cost reaches FOLLOWUP_THRESHOLD, or rose to FOLLOWUP_RISE_RATIO times Y−1's and at
least FOLLOWUP_RISE_FLOOR, or when they died. Checked against a reference computed here from the
generated two years, not from the database."""
import random
from decimal import Decimal

import pytest

from assistance.followup.services import followup_flag_for_run, screening_run_share_and_follow
from assistance.models import Application, FollowUp, InsuredPerson, ScreeningRun, SettlementRecord
from tests.concurrency import run_concurrently
from tests.fixtures.factories import ApplicationFactory, InsuredPersonFactory

pytestmark = pytest.mark.django_db
YEAR = 2023
PAID, APPROVED = Application.State.PAID, Application.State.APPROVED


def _cents(rng: random.Random, top: int) -> Decimal:
    return Decimal(rng.randrange(0, top * 100)) / 100


def generate(rng: random.Random, regions, clerk) -> dict:
    """Two years of costs for 60 people, some paid before; returns what the reference needs."""
    places = [regions["hantian"], regions["shadu"], regions["xincheng_village"], regions["tangxia"], None]
    people, records, paid_years = [], [], {}
    for index in range(60):
        person = InsuredPersonFactory(region=rng.choice(places), is_deceased=rng.random() < 0.1,
                                      moved_away=rng.random() < 0.08)
        people.append(person)
        for year in (YEAR - 1, YEAR):
            for visit in range(rng.choice([0, 1, 2, 3])):
                oop = _cents(rng, 30000)
                records.append(SettlementRecord(year=year, settlement_no=f"S{year}{index:03d}{visit}", person=person,
                                                settled_on=f"{year}-0{visit + 1}-15", institution="瑞安市人民医院",
                                                total_cost=oop * 2, fund_basic=oop, out_of_pocket=oop))
        for year in rng.sample([YEAR - 2, YEAR - 1, YEAR], rng.choice([0, 0, 1, 2])):
            state = rng.choice([PAID, PAID, APPROVED])
            ApplicationFactory(person=person, year=year, state=state, region=person.region or regions["tangxia"],
                               entered_by=clerk)
            if state == PAID and year < YEAR:
                paid_years.setdefault(person.pk, set()).add(year)
    SettlementRecord.objects.bulk_create(records)
    return {"people": people, "records": records, "paid_years": paid_years}


def reference(data: dict, *, threshold: Decimal, ratio: Decimal, floor: Decimal) -> dict[int, tuple]:
    sums: dict[tuple[int, int], Decimal] = {}
    for record in data["records"]:
        key = (record.person.pk, record.year)
        sums[key] = sums.get(key, Decimal("0")) + record.out_of_pocket
    flagged = {}
    for person in data["people"]:
        if person.pk not in data["paid_years"] or person.region is None or person.moved_away:
            continue
        now, before = sums.get((person.pk, YEAR), Decimal("0")), sums.get((person.pk, YEAR - 1), Decimal("0"))
        over, rise = now >= threshold, now >= floor and now >= before * ratio
        if over or rise or person.is_deceased:
            flagged[person.pk] = (over, rise, person.is_deceased, now, before,
                                  "、".join(map(str, sorted(data["paid_years"][person.pk]))))
    return flagged


def _run(msb) -> ScreeningRun:
    return ScreeningRun.objects.create(year=YEAR, threshold=Decimal("50000"), created_by=msb,
                                       state=ScreeningRun.State.DONE)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_flags_equal_the_reference_on_generated_two_years(seed, regions, clerk, msb, settings):
    settings.FOLLOWUP_THRESHOLD, settings.FOLLOWUP_RISE_RATIO, settings.FOLLOWUP_RISE_FLOOR = "20000", "1.5", "10000"
    data = generate(random.Random(seed), regions, clerk)
    expected = reference(data, threshold=Decimal("20000"), ratio=Decimal("1.5"), floor=Decimal("10000"))
    assert expected and len(expected) < len(data["paid_years"])  # the data exercises both sides
    run = _run(msb)
    assert followup_flag_for_run(run=run) == len(expected)
    got = {f.person_id: (f.over_threshold, f.sharp_rise, f.died, f.out_of_pocket, f.previous_out_of_pocket,
                         f.assisted_years) for f in FollowUp.objects.all()}
    assert got == expected
    for follow_up in FollowUp.objects.select_related("person"):
        assert follow_up.region_id == follow_up.person.region_id and follow_up.run == run
        # A death is recorded, not worked: closed at once; everyone else waits for their village.
        if follow_up.died:
            assert (follow_up.state, follow_up.outcome) == ("closed", "died")
        else:
            assert (follow_up.state, follow_up.outcome) == ("open", "")


def test_the_thresholds_are_settings(regions, clerk, msb, settings):
    data = generate(random.Random(7), regions, clerk)
    settings.FOLLOWUP_THRESHOLD, settings.FOLLOWUP_RISE_RATIO, settings.FOLLOWUP_RISE_FLOOR = "5000", "1.2", "3000"
    followup_flag_for_run(run=_run(msb))
    assert set(FollowUp.objects.values_list("person_id", flat=True)) == set(
        reference(data, threshold=Decimal("5000"), ratio=Decimal("1.2"), floor=Decimal("3000")))


def test_a_second_share_of_the_year_adds_no_one_twice(regions, clerk, msb):
    generate(random.Random(2), regions, clerk)
    first = followup_flag_for_run(run=_run(msb))
    assert first > 0 and followup_flag_for_run(run=_run(msb)) == 0
    assert FollowUp.objects.count() == first


def test_shares_at_once_flag_each_person_once(regions, clerk, msb, transactional_db):
    generate(random.Random(3), regions, clerk)
    runs = [_run(msb) for _ in range(3)]
    results = run_concurrently(lambda i: followup_flag_for_run(run=runs[i]), 3)
    assert all(isinstance(result, int) for result in results), results
    assert sum(results) == FollowUp.objects.count() == FollowUp.objects.values("person_id").distinct().count()


def test_sharing_a_run_flags_the_follow_ups_apart_from_its_targets(regions, clerk, msb):
    person = InsuredPersonFactory(region=regions["hantian"])
    ApplicationFactory(person=person, year=YEAR - 1, state=PAID, entered_by=clerk)
    SettlementRecord.objects.create(year=YEAR, settlement_no="S1", person=person, settled_on="2023-05-01",
                                    institution="瑞安市人民医院", total_cost=Decimal("50000"),
                                    fund_basic=Decimal("25000"), out_of_pocket=Decimal("25000"))
    run = screening_run_share_and_follow(run=_run(msb), acting_user=msb)
    assert run.shared_at is not None and not run.targets.exists()  # below the screening threshold
    follow_up = FollowUp.objects.get()
    assert (follow_up.person, follow_up.over_threshold, follow_up.sharp_rise) == (person, True, True)
    assert follow_up.history.get().history_change_reason == f"由筛查批次 #{run.pk} 标记"


def test_people_outside_the_city_or_moved_away_are_not_followed(regions, clerk, msb):
    outside = InsuredPersonFactory(region=None, is_local=False)
    moved = InsuredPersonFactory(region=regions["shadu"], moved_away=True)
    for person in (outside, moved):
        ApplicationFactory(person=person, year=YEAR - 1, state=PAID, entered_by=clerk,
                           region=person.region or regions["tangxia"])
        SettlementRecord.objects.create(year=YEAR, settlement_no=f"S{person.pk}", person=person, settled_on="2023-05-01",
                                        institution="瑞安市人民医院", total_cost=Decimal("90000"),
                                        fund_basic=Decimal("10000"), out_of_pocket=Decimal("80000"))
    InsuredPerson.objects.filter(pk=moved.pk).update(is_deceased=True)
    assert followup_flag_for_run(run=_run(msb)) == 0
