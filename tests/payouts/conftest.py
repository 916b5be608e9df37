"""The money going out: personas and a small fund for the council and payout tests.

Four different people touch one case: the clerk who entered it, the secretary who signs its
decision, finance_a who prepares the batch and finance_b who confirms the bank's result.
"""
import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from assistance.council.services import meeting_record, resolution_draft_payouts, resolution_sign
from assistance.models import (Application, CouncilMember, EligibilityCategory, InsuredPerson, ReviewCase, Scheme)
from assistance.council.schemes import scheme_create
from fundportal.models import Region
from fundportal.roles import Role
from fundportal.services import ledger_post_income
from tests.conftest import _user_with_role
from tests.factories import make_resident_id

YEAR = 2023
D = Decimal


def persona(username: str, role: Role):
    return _user_with_role(username, role)


@pytest.fixture
def secretary(db):
    return persona("secretary", Role.COUNCIL_SECRETARY)


@pytest.fixture
def finance_a(db):
    return persona("finance_a", Role.CHARITY_FINANCE)


@pytest.fixture
def finance_b(db):
    return persona("finance_b", Role.CHARITY_FINANCE)


@pytest.fixture
def town(db):
    return Region.objects.create(code="330381102000", name="塘下镇", level=Region.Level.TOWN)


@pytest.fixture
def scheme(secretary):
    """Approved: 低保 70 % above a 5,000 deductible, others 50 % above 10,000; cap 50,000; to the yuan."""
    low = EligibilityCategory.objects.get(name="低保对象")
    scheme = scheme_create(acting_user=secretary, year=YEAR, name="慈善医疗救助方案", annual_cap=D("50000"), rules=[
        {"category": low, "deductible": D("5000"), "bands": [(0, None, D("0.7"))]},
        {"category": None, "deductible": D("10000"), "bands": [(0, None, D("0.5"))]}])
    Scheme.objects.filter(pk=scheme.pk).update(approved_at=timezone.now())
    scheme.refresh_from_db()
    return scheme


def fund(amount: str, by) -> None:
    """Money in, as a donation would bring it (the source does not matter to the ledger)."""
    ledger_post_income(amount=D(amount), source=by, memo="测试捐赠", acting_user=by)


_seed = iter(range(100, 10_000))


def ready_application(clerk, town, *, out_of_pocket: str, category: str = "低保对象", person=None,
                      account: str = "6228480012345670001", other_assistance: str = "0") -> Application:
    """An application determined eligible and ready for costing (written directly: the review's
    own tests cover how it gets there)."""
    seed = next(_seed)
    if person is None:
        person = InsuredPerson.objects.create(
            resident_id=make_resident_id(seed, birth=dt.date(1960, 1, 1 + seed % 28)), name=f"李{'一二三四五'[seed % 5]}{seed}",
            sex="M", birth_date=dt.date(1960, 1, 1 + seed % 28), region=town, is_local=True)
    case, _created = ReviewCase.objects.get_or_create(
        person=person, year=YEAR, defaults={"region": town, "source": ReviewCase.Source.APPLICATION,
                                             "state": ReviewCase.State.ELIGIBLE, "state_since": timezone.now(),
                                             "category": EligibilityCategory.objects.get(name=category)})
    return Application.objects.create(
        number=f"SQ{YEAR}{seed:06d}", person=person, year=YEAR, region=town, state=Application.State.READY,
        review_case=case, phone="13812345678", account_holder=person.name, bank_name="瑞安农商银行",
        account_number=account[:-4] + f"{seed:04d}" if account == "6228480012345670001" else account,
        insured_out_of_pocket=D(out_of_pocket), other_assistance=D(other_assistance), entered_by=clerk,
        submitted_at=timezone.now())


def meeting_with_quorum(secretary, present: int = 3):
    members = list(CouncilMember.objects.order_by("order"))[:present]
    return meeting_record(acting_user=secretary, held_on=dt.date(YEAR, 6, 1), title="2023年第二次理事会",
                          agenda="审议救助名单", attendance=[(m, f"{m.name}代表") for m in members])


@pytest.fixture
def signed(secretary, clerk, town, scheme, finance_a):
    """A signed resolution approving two applications (35,000 and 21,000) with 100,000 in the fund."""
    fund("100000", finance_a)
    first = ready_application(clerk, town, out_of_pocket="55000")   # (55,000 − 5,000) × 70 % = 35,000
    second = ready_application(clerk, town, out_of_pocket="35000")  # (35,000 − 5,000) × 70 % = 21,000
    draft = resolution_draft_payouts(meeting=meeting_with_quorum(secretary), scheme=scheme, acting_user=secretary)
    return resolution_sign(resolution=draft, acting_user=secretary), first, second
