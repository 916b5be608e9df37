"""Error pages read as the site's own, in Chinese (English under /en/), with DEBUG off as in
production: a page the role may not open (403), a request the server will not take — a form too
large or with too many fields, a Host header not ours, a NUL character (400) — and a form whose
CSRF check failed (go back, reload; nothing was saved). Under /api/ the same words come as JSON."""
import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

ENGLISH_DEFAULTS = ["403 Forbidden", "Bad Request (400)", "CSRF verification failed", "Forbidden"]


@pytest.fixture(autouse=True)
def _production(settings):
    settings.DEBUG = False


def _page(response) -> str:
    text = response.content.decode()
    assert not any(words in text for words in ENGLISH_DEFAULTS), text[:300]
    assert '<link rel="stylesheet"' in text and 'class="site-header"' in text  # the site's frame
    assert response["Content-Type"].startswith("text/html")
    assert "<form" not in text  # nothing to submit from a page that refused a request
    return text


def test_a_page_the_role_may_not_open_is_a_chinese_403_page(client, msb):
    client.force_login(msb)
    response = client.get("/admin/assistance/application/")
    assert response.status_code == 403
    text = _page(response)
    assert "没有访问权限" in text and 'lang="zh-hans"' in text
    assert 'href="/admin/"' in text  # back to the user's desk


def test_the_403_page_under_en_is_in_english(client, msb):
    client.force_login(msb)
    response = client.get("/en/admin/assistance/application/")
    assert response.status_code == 403 and 'lang="en"' in _page(response)


def test_a_form_too_large_is_a_chinese_400_page(client):
    response = client.post("/admin/login/", {"username": "a", "note": "x" * 3_000_000})
    assert response.status_code == 400
    text = _page(response)
    assert "提交的内容过大" in text and "没有保存" in text


def test_a_form_with_too_many_fields_is_a_chinese_400_page(client):
    response = client.post("/en/admin/login/", {f"f{i}": "1" for i in range(1_200)})
    assert response.status_code == 400
    assert 'lang="en"' in _page(response)


def test_a_host_header_not_ours_is_a_chinese_400_page():
    response = Client(HTTP_HOST="evil.example").get("/disclosure/")
    assert response.status_code == 400
    assert "请求的格式有误" in _page(response)


def test_a_nul_refusal_is_the_sites_400_page_and_json_under_the_api(client):
    response = client.get("/disclosure/?year=%00")
    assert response.status_code == 400
    assert "请求中含有空字符（NUL），已拒绝" in _page(response)
    english = client.get("/en/disclosure/?year=%00")
    assert english.status_code == 400 and 'lang="en"' in _page(english)
    api = client.get("/api/public/statements/?year=%00")
    assert api.status_code == 400 and api.json() == {"detail": "请求中含有空字符（NUL），已拒绝"}


def test_a_failed_csrf_check_says_to_go_back_and_reload_and_that_nothing_was_saved(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/admin/login/", {"username": "finance", "password": "x"})
    assert response.status_code == 403
    text = _page(response)
    assert "刷新" in text and "返回上一页" in text and "没有保存" in text
    english = client.post("/en/admin/login/", {"username": "finance", "password": "x"})
    assert english.status_code == 403 and 'lang="en"' in _page(english)
