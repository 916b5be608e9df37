"""The API: public statements and totals (no login, paginated, filterable, cacheable, nothing
personal), and the staff endpoints with the admin's role and area rules, by session or token."""
import datetime as dt

import pytest
from django.test import Client

from disclosure.services import period_for, statement_build, statement_publish, statement_request
from fundportal.tokens import api_token_issue

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(history, finance_a):
    out = []
    for kind, day in (("month", dt.date(2023, 5, 1)), ("month", dt.date(2023, 6, 1)), ("year", dt.date(2023, 1, 1))):
        start, end = period_for(kind, day)
        statement = statement_request(kind=kind, period_start=start, period_end=end, acting_user=finance_a)
        out.append(statement_publish(statement=statement_build(statement_id=statement.pk), acting_user=finance_a))
    return out


def test_public_statements_need_no_login_and_are_paginated_and_filterable(published):
    client = Client()
    body = client.get("/api/public/statements/").json()
    assert body["count"] == 3 and [s["sequence"] for s in body["results"]] == [3, 2, 1]
    assert body["results"][0]["previous_sha256"] == published[1].sha256
    assert client.get("/api/public/statements/?limit=1").json()["next"]
    assert [s["kind"] for s in client.get("/api/public/statements/?kind=year").json()["results"]] == ["year"]
    assert client.get("/api/public/statements/?year=2022").json()["count"] == 0
    detail = client.get("/api/public/statements/2/").json()
    assert detail["content"] == published[1].content and detail["sha256"] == published[1].sha256
    assert client.get("/api/public/statements/99/").status_code == 404
    fund = client.get("/api/public/fund/").json()
    assert fund == {"received": "80500.00", "paid": "56000.00", "balance": "24500.00", "donors": 3, "people": 2,
                    "as_of": "2023-06-30"}


def test_public_answers_are_cacheable(published):
    client = Client()
    response = client.get("/api/public/statements/")
    assert "public" in response["Cache-Control"] and response["ETag"] == f'"{published[-1].sha256}"'
    assert client.get("/api/public/statements/", HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    assert client.get("/api/public/fund/", HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_nothing_personal_in_the_public_api(published, history):
    text = "".join(Client().get(url).content.decode() for url in (
        "/api/public/statements/", "/api/public/statements/1/", "/api/public/statements/3/", "/api/public/fund/"))
    for application in (history["first"], history["second"]):
        for secret in (application.person.resident_id, application.person.name, application.account_number,
                       application.phone):
            assert secret not in text
    assert history["person"].name not in text


@pytest.mark.parametrize("persona, sees", [("msb", {"韩田村", "沙渎村", "塘下镇", "莘塍街道", "东风社区"}),
                                           ("cab_town", {"韩田村", "沙渎村", "塘下镇"}), ("cab_village", {"韩田村"}),
                                           ("other_town", {"莘塍街道", "东风社区"})])
def test_staff_see_targets_of_their_own_area(request, shared_run, persona, sees):
    client = Client()
    client.force_login(request.getfixturevalue(persona))
    body = client.get("/api/assistance/targets/").json()
    assert {row["region"] for row in body["results"]} == sees
    assert all("*" in row["name"] and "*" in row["resident_id"] for row in body["results"])


@pytest.mark.parametrize("persona", ["clerk", "finance"])
def test_roles_without_targets_are_refused(request, shared_run, persona):
    client = Client()
    client.force_login(request.getfixturevalue(persona))
    assert client.get("/api/assistance/targets/").status_code == 403


def test_applications_payouts_and_receipts_follow_the_admins_rules(history, clerk, finance_a, auditor, msb):
    from tests.fixtures.factories import UserFactory

    other_clerk = UserFactory(username="clerk2")
    other_clerk.groups.add(*clerk.groups.all())
    expectations = {
        clerk: (2, 403, 403), other_clerk: (0, 403, 403), finance_a: (403, 2, 3), auditor: (2, 2, 3), msb: (403, 403, 403)}
    for user, (applications, payouts, receipts) in expectations.items():
        client = Client()
        client.force_login(user)
        for url, expected in (("/api/assistance/applications/", applications), ("/api/assistance/payouts/", payouts),
                              ("/api/donations/receipts/", receipts)):
            response = client.get(url)
            got = response.json()["count"] if response.status_code == 200 else response.status_code
            assert got == expected, (user.username, url, got)
    client = Client()
    client.force_login(other_clerk)
    assert client.get(f"/api/assistance/applications/{history['first'].pk}/").status_code == 404


def test_staff_use_a_token_and_writes_go_through_the_services(signed, finance_a, finance_b):
    _token, key = api_token_issue(user=finance_a, acting_user=finance_a)
    client = Client(HTTP_AUTHORIZATION=f"Token {key}")
    resolution = signed[0]
    response = client.post(f"/api/assistance/resolutions/{resolution.pk}/payout-batch/")
    assert response.status_code == 201 and len(response.json()) == 2
    again = client.post(f"/api/assistance/resolutions/{resolution.pk}/payout-batch/")
    assert again.status_code == 400 and "均已生成支付" in again.content.decode()
    assert Client(HTTP_AUTHORIZATION="Token wrong").get("/api/assistance/payouts/").status_code in (401, 403)
    anonymous = Client().post(f"/api/assistance/resolutions/{resolution.pk}/payout-batch/")
    assert anonymous.status_code in (401, 403)


@pytest.mark.parametrize("query, message", [("kind=weekly", "类型应为"), ("year=abc", "年度应为四位数字"),
                                            ("limit=-1", "非负整数"), ("offset=x", "非负整数")])
def test_bad_filters_are_a_400_with_the_reason(published, query, message):
    response = Client().get(f"/api/public/statements/?{query}")
    assert response.status_code == 400 and message in response.content.decode()
