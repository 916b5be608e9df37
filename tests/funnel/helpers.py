"""A cost year's funnel written straight into the tables (the review's, the applications' and the
council's own tests cover how each state is reached): people drawn at random across towns,
villages and stages, with the cases the funnel must not count, and what it must count for them."""
import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal

from django.utils import timezone

from assistance.models import Application, InsuredPerson, ReviewCase, ScreeningRun, WarningTarget
from disclosure.suppression import STAGES
from fundportal.models import Region
from tests.fixtures.factories import make_resident_id

YEAR = 2022
Case = ReviewCase.State
App = Application.State
# How far a person got: the funnel stages, as the index of the last one they reached.
REACH = {"screened": 0, "shared": 1, "verified": 2, "eligible": 3, "applied": 4, "approved": 5, "paid": 6}
NOT_YET_VERIFIED = [Case.FIRST_SCREENING, Case.AT_TOWN, Case.AT_VILLAGE]
VERIFIED = [Case.VERIFIED, Case.RETURNED, Case.NOT_ELIGIBLE]


class Year:
    """Builds one cost year; `expected` is what the funnel must count (stage → town id → people)."""

    def __init__(self, *, msb, clerk, seed: int = 0):
        self.msb, self.clerk, self.seed = msb, clerk, seed
        self.expected = {stage: defaultdict(int) for stage in STAGES}
        self.runs = {
            "shared": self._run(YEAR, shared=True), "unshared": self._run(YEAR),
            "failed": self._run(YEAR, state=ScreeningRun.State.FAILED),
            "last_year": self._run(YEAR - 1, shared=True),
        }
        self.people = 0

    def _run(self, year: int, *, shared: bool = False, state=ScreeningRun.State.DONE) -> ScreeningRun:
        now = timezone.now()
        return ScreeningRun.objects.create(year=year, created_by=self.msb, state=state,
                                           finished_at=now if state == ScreeningRun.State.DONE else None,
                                           shared_at=now if shared else None, shared_by=self.msb if shared else None)

    def person(self, region: Region | None) -> InsuredPerson:
        self.people += 1
        seed = self.seed * 10000 + self.people
        birth = dt.date(1950, 1, 1) + dt.timedelta(days=seed)
        return InsuredPerson.objects.create(resident_id=make_resident_id(seed, birth=birth), name=f"王{seed}",
                                            sex="M", birth_date=birth, region=region, is_local=region is not None)

    def target(self, run: ScreeningRun, person: InsuredPerson) -> None:
        WarningTarget.objects.create(run=run, person=person, region=person.region, total_cost=Decimal("90000"),
                                     fund_paid=Decimal("30000"), out_of_pocket=Decimal("60000"),
                                     settlement_count=2, own_share=Decimal("0.6667"))

    def case(self, person: InsuredPerson, state: str, *, year: int = YEAR, source=ReviewCase.Source.WARNING):
        from assistance.models import EligibilityCategory

        category = EligibilityCategory.objects.first() if state == Case.ELIGIBLE else None
        return ReviewCase.objects.create(person=person, year=year, region=person.region, source=source, state=state,
                                         state_since=timezone.now(), category=category,
                                         decision_reason="收入超标" if state == Case.NOT_ELIGIBLE else "")

    def application(self, person: InsuredPerson, state: str, *, year: int = YEAR, case=None) -> Application:
        number = self.seed * 100000 + Application.objects.count() + 1
        return Application.objects.create(
            number=f"T{number:09d}", lookup_code="ABCD2345", person=person, year=year, region=person.region,
            state=state, review_case=case, phone="13900000000", account_holder=person.name, bank_name="农商银行",
            account_number="6228480000000000000", entered_by=self.clerk, submitted_at=timezone.now())

    def reaching(self, stage: str, region: Region | None, rng: random.Random) -> InsuredPerson:
        """A person who got as far as `stage` (with some of the ways of getting there)."""
        reach = REACH[stage]
        person = self.person(region)
        self.target(self.runs["shared" if reach >= 1 else "unshared"], person)
        if rng.random() < 0.2:  # on two lists: counted once
            self.target(self.runs["unshared" if reach >= 1 else "failed"], person)
        if reach == 1 and region is not None and rng.random() < 0.7:
            self.case(person, rng.choice(NOT_YET_VERIFIED))
        if reach == 2:
            case = self.case(person, rng.choice(VERIFIED))
            if rng.random() < 0.3:  # applied, but not found eligible: not in "applied"
                self.application(person, App.NOT_ELIGIBLE if case.state == Case.NOT_ELIGIBLE else App.UNDER_REVIEW,
                                 case=case)
        if reach >= 3:
            case = self.case(person, Case.ELIGIBLE)
            if reach == 3 and rng.random() < 0.3:  # withdrew, or applied for another year only
                if rng.random() < 0.5:
                    self.application(person, App.WITHDRAWN, case=case)
                else:
                    self.application(person, App.READY, year=YEAR + 1)
            if reach >= 4:
                state = {4: rng.choice([App.READY, App.REJECTED]), 5: App.APPROVED, 6: App.PAID}[reach]
                self.application(person, state, case=case)
                if reach == 6 and rng.random() < 0.3:  # a second, later application of the year
                    self.application(person, App.READY, case=case)
        town = None if region is None else (region.pk if region.level == Region.Level.TOWN else region.parent_id)
        for name, index in REACH.items():
            if reach >= index:
                self.expected[name][town] += 1
        if reach == 3:
            self.expected["not_applied"][town] += 1
        return person

    def noise(self, region: Region, rng: random.Random) -> None:
        """People the funnel must not count: applied without being on a shared list, on a failed
        run only, on last year's list only."""
        outsider = self.person(region)
        case = self.case(outsider, Case.ELIGIBLE, source=ReviewCase.Source.APPLICATION)
        self.application(outsider, App.PAID, case=case)
        self.target(self.runs["failed"], self.person(region))
        last_year = self.person(region)
        self.target(self.runs["last_year"], last_year)
        self.case(last_year, Case.ELIGIBLE, year=YEAR - 1)

    def counts(self) -> dict[str, dict[int | None, int]]:
        return {stage: {town: n for town, n in by_town.items() if n} for stage, by_town in self.expected.items()}


def random_year(*, msb, clerk, places: list[Region | None], seed: int, people: int) -> Year:
    rng = random.Random(seed)
    year = Year(msb=msb, clerk=clerk, seed=seed)
    for _ in range(people):
        stage, place = rng.choice(list(REACH)), rng.choice(places)
        if place is None and REACH[stage] > REACH["shared"]:
            stage = "shared"  # no case is opened for someone of no town of the city
        year.reaching(stage, place, rng)
    for region in rng.sample([place for place in places if place is not None], 2):
        year.noise(region, rng)
    return year
