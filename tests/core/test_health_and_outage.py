"""/healthz checks what it depends on and names what failed; with PostgreSQL unreachable every
page answers 503 "系统维护中，请稍后再试" with Retry-After (JSON under /api/), never a traceback.
The outage is real: the connection is pointed at a closed port, nothing is mocked."""
import socket
import sys

import pytest
from django.db import connection
from django.test import Client, RequestFactory, override_settings

from fundportal.health import server_error

MESSAGE = "系统维护中，请稍后再试"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nothing listens once the socket is closed


@pytest.fixture
def database_unreachable(django_db_blocker):
    """The default connection now leads to a closed port, as when PostgreSQL is stopped."""
    with django_db_blocker.unblock():
        settings_dict = connection.settings_dict
        saved = settings_dict["HOST"], settings_dict["PORT"]
        connection.close()
        settings_dict["HOST"], settings_dict["PORT"] = "127.0.0.1", str(_closed_port())
        try:
            yield
        finally:
            connection.close()
            settings_dict["HOST"], settings_dict["PORT"] = saved


def _client():
    client = Client(raise_request_exception=False)
    client.cookies["sessionid"] = "s" * 32  # a signed-in browser: its session lives in the database
    return client


def _lines(response) -> list[str]:
    return response.content.decode().splitlines()


@pytest.mark.django_db
def test_healthz_says_ok_for_each_dependency_when_all_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and "no-cache" in response["Cache-Control"]
    assert _lines(response) == ["ok", "database: ok", "cache: ok"]  # no broker configured in tests


@pytest.mark.django_db
def test_healthz_names_a_failed_cache_and_broker_but_stays_up_without_them(client):
    port = _closed_port()
    caches = {"default": {"BACKEND": "fundportal.cache.TolerantRedisCache", "LOCATION": f"redis://127.0.0.1:{port}/0",
                          "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1}}}
    with override_settings(CACHES=caches, CELERY_BROKER_URL=f"redis://127.0.0.1:{port}/0"):
        response = client.get("/healthz")
    # Pages keep working without Redis (tolerant cache, jobs wait): not the web's to restart.
    assert response.status_code == 200
    assert _lines(response)[0] == "degraded" and "database: ok" in _lines(response)
    assert "cache: unavailable (ConnectionError)" in _lines(response)
    assert any(line.startswith("broker: unavailable") for line in _lines(response))


def test_healthz_answers_503_naming_the_database_when_postgresql_is_unreachable(database_unreachable):
    response = _client().get("/healthz")
    assert response.status_code == 503
    assert _lines(response)[:2] == ["unavailable", "database: unavailable (OperationalError)"]


@pytest.mark.parametrize("path", ["/admin/", "/workspace/", "/admin/donations/donation/", "/disclosure/verify/"])
def test_pages_answer_503_maintenance_with_retry_after_when_the_database_is_down(database_unreachable, path):
    response = _client().get(path)
    body = response.content.decode()
    assert response.status_code == 503, path
    assert response["Retry-After"] == "60" and "no-store" in response["Cache-Control"]
    assert MESSAGE in body and "<html" in body
    assert "Traceback" not in body and "OperationalError" not in body and "5432" not in body


@pytest.mark.parametrize("path", ["/api/donations/", "/api/assistance/payouts/"])
def test_the_api_answers_a_json_503_when_the_database_is_down(database_unreachable, path):
    client = Client(raise_request_exception=False, HTTP_AUTHORIZATION="Token " + "a" * 64)
    response = client.get(path)
    assert response.status_code == 503 and response["Retry-After"] == "60"
    assert response["Content-Type"].startswith("application/json") and response.json() == {"detail": MESSAGE}


def test_the_public_home_page_needs_no_database(database_unreachable):
    response = Client(raise_request_exception=False).get("/")
    assert response.status_code == 200


def test_other_server_errors_stay_a_500():
    request = RequestFactory().get("/admin/")
    try:
        raise ValueError("a bug, not an outage")
    except ValueError:
        assert sys.exc_info()[0] is ValueError
        response = server_error(request)
    assert response.status_code == 500 and MESSAGE not in response.content.decode()
