"""What civil affairs finds at a household (income, assets, housing, the visit's notes, the members)
stays with civil affairs: the MSB reads a review case's state, never the household, on the case page
and in the API. A move's form renders only for an officer who may submit it — the verify form is
prefilled with the members' ID numbers — and a member's ID number is shown masked everywhere else."""
import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from assistance.review import services as review
from assistance.models import ReviewCase
from fundportal.roles import Role
from tests.fixtures.factories import make_resident_id

pytestmark = pytest.mark.django_db
State = ReviewCase.State
SPOUSE_ID = make_resident_id(77, birth=dt.date(1971, 3, 9))
FINDINGS = ("15,600.00", "旧平房两间", "电动车一辆", "肾衰竭透析，每周三次", "王芳")


def _admin(name, *args):
    return reverse(f"admin:assistance_reviewcase_{name}", args=args)


@pytest.fixture
def verified(shared_run, cab_city, cab_town, cab_village):
    """韩田村's first case, visited and verified, with the spouse's ID number recorded."""
    case = ReviewCase.objects.filter(region__name="韩田村").order_by("id").first()
    case = review.review_case_assign(case=review.review_case_dispatch(case=case, acting_user=cab_city),
                                     acting_user=cab_town)
    return review.review_case_verify(
        case=case, acting_user=cab_village, visited_on=timezone.localdate(), household_income=Decimal("15600"),
        housing="旧平房两间", assets="电动车一辆", notes="肾衰竭透析，每周三次",
        household=[{"name": case.person.name, "relation": "本人", "annual_income": Decimal("3600")},
                   {"name": "王芳", "relation": "配偶", "resident_id": SPOUSE_ID, "annual_income": Decimal("12000")}])


def test_the_msb_sees_a_cases_state_but_never_the_household(client, verified, msb):
    client.force_login(msb)
    page = client.get(_admin("change", verified.pk))
    assert page.status_code == 200
    html = page.content.decode()
    assert "已甄别" in html or verified.get_state_display() in html
    for finding in FINDINGS:
        assert finding not in html
    assert "家庭成员" not in html and "家庭年收入" not in html
    for url in (reverse("api-review-case", args=[verified.pk]), reverse("api-review-cases")):
        body = client.get(url).json()
        row = body if "id" in body else next(r for r in body["results"] if r["id"] == verified.pk)
        assert row["state"] == State.VERIFIED
        assert not {"household_income", "assets", "housing", "notes", "visited_on"} & set(row)


@pytest.mark.parametrize("persona", ["cab_city", "auditor"])
def test_civil_affairs_and_auditors_read_the_household_findings(request, client, verified, persona):
    client.force_login(request.getfixturevalue(persona))
    html = client.get(_admin("change", verified.pk)).content.decode()
    for finding in FINDINGS:
        assert finding in html
    row = client.get(reverse("api-review-case", args=[verified.pk])).json()
    assert (row["household_income"], row["visited_on"]) == ("15600.00", timezone.localdate().isoformat())


@pytest.fixture
def at_village(shared_run, cab_city, cab_town):
    case = ReviewCase.objects.filter(region__name="韩田村").order_by("id").first()
    return review.review_case_assign(case=review.review_case_dispatch(case=case, acting_user=cab_city),
                                     acting_user=cab_town)


@pytest.mark.parametrize("persona", ["msb", "cab_city", "cab_town", "auditor"])
def test_the_verify_form_renders_only_for_the_village_officer(request, client, verified, persona, cab_city):
    # Returned for a second visit: the form would come prefilled with the members' ID numbers.
    review.review_case_return(case=verified, acting_user=cab_city, reason="收入需补充核实")
    client.force_login(request.getfixturevalue(persona))
    for method in (client.get, client.post):
        response = method(_admin("verify", verified.pk))
        assert response.status_code == 403
        assert SPOUSE_ID not in response.content.decode()
    assert ReviewCase.objects.get(pk=verified.pk).state == State.RETURNED


def test_the_village_officer_gets_the_verify_form_with_the_ids_they_enter(client, verified, cab_city, cab_village):
    review.review_case_return(case=verified, acting_user=cab_city, reason="收入需补充核实")
    client.force_login(cab_village)
    response = client.get(_admin("verify", verified.pk))
    assert response.status_code == 200 and SPOUSE_ID in response.content.decode()


@pytest.mark.parametrize("move, allowed, refused", [
    ("dispatch", "cab_city", ["cab_town", "cab_village", "msb", "auditor"]),
    ("determine", "cab_city", ["cab_town", "cab_village", "msb", "auditor"]),
    ("return", "cab_city", ["cab_town", "cab_village", "msb", "auditor"]),
    ("move", "cab_town", ["cab_village", "msb", "auditor"]),
])
def test_every_move_form_renders_only_for_a_role_that_may_submit_it(request, client, shared_run, verified, move,
                                                                     allowed, refused):
    case = verified if move in ("determine", "return", "move") else ReviewCase.objects.filter(
        region__name="韩田村", state=State.FIRST_SCREENING).first()
    for persona in refused:
        client.force_login(request.getfixturevalue(persona))
        response = client.get(_admin(move, case.pk))
        assert response.status_code == 403, (move, persona)
        assert "<form" not in response.content.decode()
    client.force_login(request.getfixturevalue(allowed))
    assert client.get(_admin(move, case.pk)).status_code == 200


def test_member_id_numbers_are_masked_outside_the_verify_form(client, verified, cab_city):
    client.force_login(cab_city)
    for url in (_admin("change", verified.pk), _admin("determine", verified.pk), _admin("return", verified.pk)):
        html = client.get(url).content.decode()
        assert "王芳" in html and SPOUSE_ID not in html, url
    assert SPOUSE_ID not in str(client.get(reverse("api-review-case", args=[verified.pk])).json())


def test_the_msb_keeps_no_household_view_even_with_the_grant(client, verified, msb):
    """The rule lives in the selectors: granting view_householdmember to the MSB's group changes nothing."""
    from django.contrib.auth.models import Permission

    Group.objects.get(name=Role.MSB_STAFF).permissions.add(Permission.objects.get(codename="view_householdmember"))
    msb = type(msb).objects.get(pk=msb.pk)  # fresh permission cache
    client.force_login(msb)
    html = client.get(_admin("change", verified.pk)).content.decode()
    assert "肾衰竭透析" not in html and "王芳" not in html
    assert "household_income" not in client.get(reverse("api-review-case", args=[verified.pk])).json()


def test_a_meeting_page_has_a_form_only_for_who_may_save_it(client, secretary, finance):
    from assistance.council.services import meeting_record
    from assistance.models import CouncilMember

    members = list(CouncilMember.objects.order_by("order"))[:3]
    meeting = meeting_record(acting_user=secretary, held_on=dt.date(2023, 6, 1), title="2023年第二次理事会",
                             agenda="审议", attendance=[(m, f"{m.name}代表") for m in members])
    url = reverse("admin:assistance_meeting_change", args=[meeting.pk])
    client.force_login(finance)
    html = client.get(url).content.decode()
    assert "2023年第二次理事会" in html and 'method="post" novalidate' not in html
    client.force_login(secretary)
    assert 'method="post" novalidate' in client.get(url).content.decode()
