"""Personas and data for the eligibility review: the city's civil-affairs bureau (cab_city),
塘下镇's officer (cab_town) and 韩田村's (cab_village) must act only inside their area; the
officers of 莘塍街道 and of 塘下镇's other village (沙渎村) are the ones who must be refused."""
import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from assistance.models import InsuredPerson, ScreeningRun, WarningTarget
from assistance.review.services import screening_run_share
from fundportal.models import Region
from fundportal.roles import Role
from tests.factories import UserFactory, make_resident_id

YEAR = 2022


@pytest.fixture
def regions(db) -> dict[str, Region]:
    city = Region.objects.create(code="330381000000", name="瑞安市", level=Region.Level.CITY)
    tangxia = Region.objects.create(code="330381102000", name="塘下镇", level=Region.Level.TOWN, parent=city)
    xincheng = Region.objects.create(code="330381006000", name="莘塍街道", level=Region.Level.TOWN, parent=city)
    return {
        "city": city, "tangxia": tangxia, "xincheng": xincheng,
        "hantian": Region.objects.create(code="330381102201", name="韩田村", level=Region.Level.VILLAGE, parent=tangxia),
        "shadu": Region.objects.create(code="330381102202", name="沙渎村", level=Region.Level.VILLAGE, parent=tangxia),
        "xincheng_village": Region.objects.create(code="330381006201", name="东风社区", level=Region.Level.VILLAGE,
                                                  parent=xincheng),
    }


def officer(username: str, role: Role, region: Region | None):
    user = UserFactory(username=username, region=region)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def cab_city(regions):
    return officer("cab_city", Role.CAB_CITY, regions["city"])


@pytest.fixture
def cab_city_colleague(regions):
    """A second city officer: the one who may decide what cab_city verified, and vice versa."""
    return officer("cab_city2", Role.CAB_CITY, regions["city"])


@pytest.fixture
def cab_town(regions):
    return officer("cab_town", Role.CAB_TOWN, regions["tangxia"])


@pytest.fixture
def cab_village(regions):
    return officer("cab_village", Role.CAB_VILLAGE, regions["hantian"])


@pytest.fixture
def other_town(regions):
    return officer("cab_xincheng", Role.CAB_TOWN, regions["xincheng"])


@pytest.fixture
def other_village(regions):
    return officer("cab_shadu", Role.CAB_VILLAGE, regions["shadu"])


def make_run(msb, people: list[tuple[int, Region]], *, year: int = YEAR) -> ScreeningRun:
    """A finished run whose targets are the given (seed, household region) people."""
    run = ScreeningRun.objects.create(year=year, threshold=Decimal("50000"), created_by=msb,
                                      state=ScreeningRun.State.DONE, target_count=len(people),
                                      finished_at=timezone.now())
    persons = []
    for seed, region in people:
        birth = dt.date(1950 + seed % 50, 1 + seed % 12, 1 + seed % 28)
        resident_id = make_resident_id(seed, region=f"33{seed // 1000 % 10}{seed // 100 % 10}81", birth=birth)
        persons.append(InsuredPerson(resident_id=resident_id, name=f"张{'三四五六七'[seed % 5]}{seed}",
                                     sex="M" if int(resident_id[16]) % 2 else "F", birth_date=birth, region=region,
                                     is_local=True))
    persons = InsuredPerson.objects.bulk_create(persons)
    WarningTarget.objects.bulk_create(
        WarningTarget(run=run, person=person, region=person.region, total_cost=Decimal("90000"),
                      fund_paid=Decimal("30000"), out_of_pocket=Decimal("60000"), settlement_count=3,
                      own_share=Decimal("0.6667")) for person in persons)
    return run


@pytest.fixture
def shared_run(msb, regions):
    """Shared with civil affairs: two people in 韩田村, one in 沙渎村, one registered at 塘下镇 level,
    two in 莘塍街道."""
    run = make_run(msb, [(1, regions["hantian"]), (2, regions["hantian"]), (3, regions["shadu"]),
                         (4, regions["tangxia"]), (5, regions["xincheng"]), (6, regions["xincheng_village"])])
    return screening_run_share(run=run, acting_user=msb)
