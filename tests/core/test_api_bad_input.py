"""Malformed input is a 4xx with a Chinese message, never an error page: a JSON body nested
100,000 levels deep, a token that cannot be a key, a NUL character anywhere in a query string or a
form (PostgreSQL cannot hold one), a limit or offset past what the database takes; and the API's
own words are Chinese (no model names in a 404, no "JSON parse error", no "No data provided")."""
import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.generics import ListAPIView

from fundportal.api_permissions import PageLimits
from fundportal.tokens import api_token_issue

pytestmark = pytest.mark.django_db

DONATIONS_API = "/api/donations/"
NOT_JSON = "请求内容不是有效的 JSON"
NUL_REFUSED = "请求中含有空字符（NUL），已拒绝"


@pytest.fixture
def finance_api(finance) -> Client:
    _token, key = api_token_issue(user=finance, acting_user=finance)
    return Client(HTTP_AUTHORIZATION=f"Token {key}")


@pytest.fixture
def admin_client_(client, admin_user) -> Client:
    client.force_login(admin_user)
    return client


def test_a_json_body_nested_100000_levels_deep_is_a_chinese_400(finance_api):
    body = "[" * 100_000 + "]" * 100_000
    response = finance_api.post(DONATIONS_API, body, content_type="application/json")
    assert response.status_code == 400 and response.json() == {"detail": NOT_JSON}


def test_a_broken_json_body_is_a_chinese_400_without_the_parsers_english(finance_api):
    response = finance_api.post(DONATIONS_API, '{"amount": ', content_type="application/json")
    assert response.status_code == 400 and response.json() == {"detail": NOT_JSON}


def test_a_json_null_body_is_answered_in_chinese(finance_api):
    response = finance_api.post(DONATIONS_API, "null", content_type="application/json")
    assert response.status_code == 400
    assert "No data provided" not in response.content.decode() and "没有提供数据" in response.content.decode()


@pytest.mark.parametrize("key", ["éééééééé", "abc\u0000def", "\xff\xfe"])
def test_a_token_that_cannot_be_a_key_is_refused_like_any_wrong_key(key):
    response = Client(HTTP_AUTHORIZATION=f"Token {key}").get(DONATIONS_API)
    wrong = Client(HTTP_AUTHORIZATION="Token 0123456789abcdef").get(DONATIONS_API)
    assert response.status_code == wrong.status_code and response.status_code in (401, 403)
    assert response.json() == wrong.json() == {"detail": "认证令牌无效。"}


@pytest.mark.parametrize("url", ["/admin/assistance/reviewcase/?state__exact=%00",
                                 "/admin/donations/donation/?status__exact=%00",
                                 "/admin/donations/donation/?q=%00"])
def test_a_nul_in_an_admin_query_is_a_chinese_400(admin_client_, url):
    response = admin_client_.get(url)
    assert response.status_code == 400 and NUL_REFUSED in response.content.decode()


@pytest.mark.parametrize("url", ["/api/assistance/review-cases/?state=%00", "/api/assistance/applications/?status=%00",
                                 "/api/donations/?%00=1"])
def test_a_nul_in_an_api_query_is_a_chinese_400(admin_client_, url):
    response = admin_client_.get(url)
    assert response.status_code == 400 and response.json() == {"detail": NUL_REFUSED}


def test_a_nul_in_a_form_field_or_a_cookie_is_a_chinese_400(client):
    response = client.post(reverse("admin:login"), {"username": "a\x00b", "password": "x"})
    assert response.status_code == 400 and NUL_REFUSED in response.content.decode()
    client.cookies["sessionid"] = "\x00" * 32
    assert client.get("/").status_code == 400


def test_a_nul_in_a_json_field_is_refused_in_words_that_say_so(finance_api):
    response = finance_api.post(DONATIONS_API, {"amount": "1.00", "received_on": "2026-01-05", "channel": "cash",
                                                "is_anonymous": True, "note": "a\u0000b"},
                                content_type="application/json")
    assert response.status_code == 400
    assert response.json()["note"] == ["不能包含空字符（NUL）"]


def _api_views(resolver=None, prefix=""):
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _api_views(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern) and (prefix + str(pattern.pattern)).startswith("api/"):
            view = getattr(pattern.callback, "view_class", None) or getattr(pattern.callback, "cls", None)
            if view is not None:
                yield prefix + str(pattern.pattern), view


def test_every_api_list_is_paginated_by_the_shared_bounded_class():
    lists = {route: view for route, view in _api_views() if issubclass(view, ListAPIView)}
    assert "api/donations/" in lists and "api/public/statements/" in lists
    assert {route for route, view in lists.items() if not issubclass(view.pagination_class, PageLimits)} == set()


@pytest.mark.parametrize("url", ["/api/donations/", "/api/donations/receipts/", "/api/assistance/review-cases/",
                                 "/api/assistance/applications/", "/api/assistance/payouts/",
                                 "/api/assistance/resolutions/", "/api/assistance/targets/", "/api/public/statements/"])
def test_a_huge_limit_is_cut_to_the_maximum_and_a_huge_offset_is_a_chinese_400(admin_client_, url):
    response = admin_client_.get(url + "?limit=99999999999999999999999")
    assert response.status_code == 200, response.content[:300]
    response = admin_client_.get(url + "?offset=99999999999999999999999")
    assert response.status_code == 400 and "非负整数" in response.json()["offset"][0]
    assert admin_client_.get(url + "?limit=abc").status_code == 400


def test_a_missing_record_is_a_chinese_404_that_names_no_model(admin_client_):
    response = admin_client_.get("/api/assistance/review-cases/999999/")
    assert response.status_code == 404 and response.json() == {"detail": "没有找到该记录"}
