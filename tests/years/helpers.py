"""Small helpers of the year-boundary tests: a moment in Beijing time (the fund's clock), and an
application of any cost year ready for costing (tests/fixtures/council.py's ready_application is
for 2023 only).

Beijing is UTC+8 all year: 2024-01-01 00:00:01 there is still 2023-12-31 16:00:01 in UTC, so a
rule that took the date from UTC would put the first hours of a year into the year before."""
import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import time_machine
from django.utils import timezone

from assistance.council.schemes import scheme_create
from assistance.models import Application, EligibilityCategory, InsuredPerson, ReviewCase, Scheme
from tests.fixtures.environment import PerTestSequence
from tests.fixtures.factories import make_resident_id

BEIJING = ZoneInfo("Asia/Shanghai")
D = Decimal

_applications = PerTestSequence(start=500)


def beijing(*parts: int) -> dt.datetime:
    """An aware moment in Beijing time: beijing(2023, 12, 31, 23, 59, 59)."""
    return dt.datetime(*parts, tzinfo=BEIJING)


def at(*parts: int):
    """The clock stopped at a moment in Beijing time (a context manager)."""
    return time_machine.travel(beijing(*parts), tick=False)


def person_new(town, seed: int, name: str = "") -> InsuredPerson:
    birth = dt.date(1958, 1, 1 + seed % 28)
    return InsuredPerson.objects.create(resident_id=make_resident_id(seed, birth=birth), name=name or f"陈{seed}",
                                        sex="M", birth_date=birth, region=town, is_local=True)


def approved_scheme(secretary, year: int, *, cap: str = "50000") -> Scheme:
    """低保 70 % above 5,000; others 50 % above 10,000; the annual cap `cap`; approved."""
    low = EligibilityCategory.objects.get(name="低保对象")
    scheme = scheme_create(acting_user=secretary, year=year, name=f"{year}年度慈善医疗救助方案", annual_cap=D(cap),
                           rules=[{"category": low, "deductible": D("5000"), "bands": [(0, None, D("0.7"))]},
                                  {"category": None, "deductible": D("10000"), "bands": [(0, None, D("0.5"))]}])
    Scheme.objects.filter(pk=scheme.pk).update(approved_at=timezone.now())
    scheme.refresh_from_db()
    return scheme


def ready_of_year(clerk, town, year: int, *, out_of_pocket: str, person: InsuredPerson | None = None) -> Application:
    """An application for cost year `year`, its applicant found eligible (低保对象) that year, ready for
    costing (written directly, as ready_application does: the review's own tests cover the way there)."""
    seed = next(_applications)
    person = person or person_new(town, seed)
    case, _created = ReviewCase.objects.get_or_create(
        person=person, year=year, defaults={"region": town, "source": ReviewCase.Source.APPLICATION,
                                             "state": ReviewCase.State.ELIGIBLE, "state_since": timezone.now(),
                                             "category": EligibilityCategory.objects.get(name="低保对象")})
    return Application.objects.create(
        number=f"SQ{year}{seed:05d}", person=person, year=year, region=town, state=Application.State.READY,
        review_case=case, phone="13812345678", account_holder=person.name, bank_name="瑞安农商银行",
        account_number=f"622848001234{seed:07d}", insured_out_of_pocket=D(out_of_pocket),
        other_assistance=D("0"), entered_by=clerk, submitted_at=timezone.now())
