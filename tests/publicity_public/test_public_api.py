"""The public API of 公示: the list and a 公示's lines (what the pages show, cacheable), an
objection filed (same service and limit as the page), an objection looked up (same answer for a
wrong code and a missing number). No login, no session, no CSRF."""
import pytest
from django.test import Client, override_settings

from assistance.models import Objection
from assistance.publicity.services import objection_decide

from .helpers import body, secrets_of

pytestmark = pytest.mark.django_db
BASE = "/api/public/publicity/"
REASON = "该户家中有经营性货车两辆，经济条件较好"


def _post(client, url, data):
    return client.post(url, data, content_type="application/json")


def test_the_list_has_the_period_size_and_counts(client, posted):
    response = client.get(BASE)
    assert response.status_code == 200 and "public" in response["Cache-Control"]
    [row] = response.json()["results"]
    assert row == {"id": posted.pk, "resolution": posted.resolution.number, "starts_on": f"{posted.starts_on}",
                   "ends_on": f"{posted.ends_on}", "days": 7, "is_open": True, "entries": 4,
                   "objections": {"received": 0, "upheld": 0, "dismissed": 0, "open": 0}}


def test_the_entries_of_a_publicity_and_of_one_village(client, posted, regions):
    everything = client.get(f"{BASE}{posted.pk}/entries/").json()["results"]
    assert [(row["line"], row["name"], row["village"], row["amount"]) for row in everything] == [
        (1, "林*芳", "东风社区", "14000.00"), (2, "王*国", "韩田村", "35000.00"), (3, "陈*玲", "韩田村", "21000.00"),
        (4, "欧阳*峰", "沙渎村", "28000.00")]
    assert set(everything[0]) == {"line", "name", "village", "village_code", "category", "amount"}
    village = client.get(f"{BASE}{posted.pk}/entries/", {"region": regions["shadu"].code}).json()["results"]
    assert [row["name"] for row in village] == ["欧阳*峰"]
    town = client.get(f"{BASE}{posted.pk}/entries/", {"region": regions["tangxia"].code}).json()["results"]
    assert [row["line"] for row in town] == [2, 3, 4]


def test_an_area_without_lines_is_a_404(client, posted):
    response = client.get(f"{BASE}{posted.pk}/entries/", {"region": "330381105000"})
    assert response.status_code == 404 and response.json() == {"detail": "该公示在这个地区没有名单"}


@pytest.mark.parametrize("code", ["abc", "１２３", "", "3303811050001234"])
def test_a_region_that_is_not_a_code_is_refused_like_every_bad_filter(client, posted, code):
    """A declared filter (fundportal.api.FilteredList): a bad value is a 400 naming it, in Chinese."""
    response = client.get(f"{BASE}{posted.pk}/entries/", {"region": code})
    assert response.status_code == 400 and "region" in response.json()


def test_a_missing_publicity_is_a_chinese_404(client):
    assert client.get(f"{BASE}999999/entries/").json() == {"detail": "没有这份公示"}


def test_an_objection_is_filed_through_the_api_and_looked_up(posted, cab_city):
    client = Client(enforce_csrf_checks=True)  # no session: no CSRF to give
    filed = _post(client, f"{BASE}{posted.pk}/objections/", {"line": 2, "content": REASON, "contact": "微信 abc"})
    assert filed.status_code == 201, filed.content
    data = filed.json()
    objection = Objection.objects.get()
    assert data == {"number": objection.number, "lookup_code": objection.lookup_code,
                    "received_on": f"{objection.received_on}", "due_on": f"{objection.due_on}"}
    assert (objection.entry.shown_name, objection.contact, objection.channel) == ("王*国", "微信 abc", "online")
    looked = _post(client, f"{BASE}objections/lookup/", {"number": data["number"], "code": data["lookup_code"]})
    assert looked.status_code == 200 and looked.json()["state"] == "received" and looked.json()["outcome"] is None
    objection_decide(objection=objection, acting_user=cab_city, upheld=True, reason="经核查属实，停止发放")
    looked = _post(client, f"{BASE}objections/lookup/", {"number": data["number"], "code": data["lookup_code"]}).json()
    assert (looked["state"], looked["outcome"], looked["reason"]) == ("upheld", "异议成立", "经核查属实，停止发放")
    assert looked["entry"]["name"] == "王*国" and "content" not in looked and "contact" not in looked
    assert [secret for secret in secrets_of(posted) if secret in body(filed) + str(looked)] == []
    assert client.get(BASE).json()["results"][0]["objections"] == {"received": 1, "upheld": 1, "dismissed": 0,
                                                                    "open": 0}


@pytest.mark.parametrize("data, field", [
    ({"line": 2, "content": "太少"}, "content"), ({"line": 2}, "content"), ({"content": REASON}, "line"),
    ({"line": 2, "content": REASON, "objector_name": "名" * 51}, "objector_name"),
    ({"line": 2, "content": REASON, "contact": "1" * 51}, "contact"),
])
def test_bad_objections_are_400s_naming_the_field(client, posted, data, field):
    response = _post(client, f"{BASE}{posted.pk}/objections/", data)
    assert response.status_code == 400 and field in response.json()
    assert Objection.objects.count() == 0


def test_an_objection_to_a_missing_line_is_a_404(client, posted):
    assert _post(client, f"{BASE}{posted.pk}/objections/", {"line": 99, "content": REASON}).status_code == 404


def test_after_the_period_the_api_refuses_in_chinese(client, ended):
    response = _post(client, f"{BASE}{ended.pk}/objections/", {"line": 2, "content": REASON})
    assert response.status_code == 400 and "不在异议期内" in response.json()["detail"][0]


@override_settings(OBJECTION_RATE="2/h")
def test_page_and_api_share_the_objection_limit(client, posted):
    assert client.post(f"/publicity/{posted.pk}/lines/2/objection/", {"content": REASON}).status_code == 302
    assert _post(client, f"{BASE}{posted.pk}/objections/", {"line": 3, "content": REASON}).status_code == 201
    blocked = _post(client, f"{BASE}{posted.pk}/objections/", {"line": 4, "content": REASON})
    assert blocked.status_code == 429 and blocked.json() == {"detail": "提交过于频繁，请稍后再试"}


def test_a_wrong_code_is_answered_like_a_missing_number(client, posted):
    data = _post(client, f"{BASE}{posted.pk}/objections/", {"line": 2, "content": REASON}).json()
    wrong = _post(client, f"{BASE}objections/lookup/", {"number": data["number"], "code": "ZZZZZZZZ"})
    missing = _post(client, f"{BASE}objections/lookup/", {"number": "YY202399999", "code": "ZZZZZZZZ"})
    assert wrong.status_code == missing.status_code == 404 and wrong.json() == missing.json()
    assert wrong.content == missing.content
