"""The work-queue page: where every role lands after logging in, linked from every admin page's
header and the admin's index; what waits with counts, overdue in red, the oldest and the nearest
deadline, each a link to its list. The clerk's workspace shows the clerk's queue the same way."""
import re

import pytest
from django.test import Client
from django.urls import reverse

from assistance.models import Payout, ReviewCase
from fundportal.roles import ROLE_LANDING, Role
from tests.fixtures.factories import PayoutFactory, ReviewCaseFactory
from tests.fixtures.personas import PASSWORD, make_user

from .helpers import days_ago

pytestmark = pytest.mark.django_db
QUEUE = "/admin/queue/"


@pytest.fixture
def village_work(regions):
    late = ReviewCaseFactory(person__region=regions["hantian"], state=ReviewCase.State.AT_VILLAGE,
                             due_on=days_ago(3))
    ReviewCaseFactory(person__region=regions["hantian"], state=ReviewCase.State.AT_VILLAGE, due_on=days_ago(-4))
    return late


def log_in(username: str) -> tuple[Client, str]:
    client = Client()
    response = client.post("/admin/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client, response["Location"]


def test_the_village_officer_lands_on_their_queue_and_sees_what_is_late(village_work, cab_village):
    client, landing = log_in("cab_village")
    assert landing == QUEUE
    response = client.get(landing)
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    html = response.content.decode()
    row = html[html.index('data-key="review.verify"'):]
    row = row[:row.index("</tr>")]
    assert "资格审核：待入户甄别" in row and '<td class="count">2</td>' in row
    assert 'class="overdue"' in row and "1 件已逾期" in row
    assert days_ago(3).isoformat() in row  # the nearest deadline, past
    assert 'href="/admin/assistance/reviewcase/?todo=review.verify"' in row
    assert 'href="/admin/assistance/reviewcase/?todo=review.verify.overdue"' in row
    assert "常用页面" in html and 'href="/admin/assistance/reviewcase/"' in html


def test_nothing_waiting_says_so(cab_town):
    client = Client()
    client.force_login(cab_town)
    html = client.get(QUEUE).content.decode()
    assert "目前没有等待您办理的事项" in html and 'id="work-queue"' not in html


@pytest.mark.parametrize("role", [role for role in Role if role != Role.REDCROSS_CLERK])
def test_every_staff_role_but_the_clerk_lands_on_the_queue(role, regions):
    region = regions["hantian"] if role in (Role.CAB_CITY, Role.CAB_TOWN, Role.CAB_VILLAGE) else None
    make_user("someone", role, region=region)
    client, landing = log_in("someone")
    assert landing == QUEUE == reverse(*ROLE_LANDING[role][:1])
    assert client.get(landing).status_code == 200


def test_the_queue_is_for_staff_only():
    response = Client().get(QUEUE)
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_the_queue_is_linked_from_the_header_and_the_index(client, finance):
    client.force_login(finance)
    html = client.get(reverse("admin:index")).content.decode()
    header = html[html.index('class="desk-links"'):]
    assert f'href="{QUEUE}"' in header[:header.index("</span>")]
    assert 'class="work-queue-link"' in html


def test_the_clerks_workspace_home_shows_their_queue_and_its_filter(clerk):
    failed = PayoutFactory(item__application__entered_by=clerk, state=Payout.State.FAILED)
    other = PayoutFactory(item__application__entered_by=clerk)  # with the bank: nothing to do
    client, landing = log_in("clerk")
    assert landing == "/workspace/"
    html = client.get(landing).content.decode()
    queue = html[html.index('id="work-queue"'):html.index("</table>", html.index('id="work-queue"'))]
    assert "支付失败或被退回" in queue and "/workspace/?todo=applications.payment_failed" in queue
    assert failed.application.number in html and other.application.number in html
    filtered = client.get("/workspace/?todo=applications.payment_failed").content.decode()
    listed = re.findall(r'href="/workspace/applications/(SQ[^/]+)/"', filtered)
    assert listed == [failed.application.number]


def test_an_unknown_kind_in_the_workspace_lists_everything_as_before(clerk):
    mine = PayoutFactory(item__application__entered_by=clerk).application
    client = Client()
    client.force_login(clerk)
    html = client.get("/workspace/?todo=review.verify").content.decode()
    assert mine.number in html and "我受理的申请" in html
