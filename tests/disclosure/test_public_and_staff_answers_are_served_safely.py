"""Every answer is served safely: odd digits in an address are a 404 or 403, never a server error;
the public API never answers with a page carrying a CSRF token; staff answers are never kept in
shared caches; a public file changed on disk is reported and written back; HEAD is answered."""
import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from disclosure.services import statement_publish
from tests.disclosure.helpers import build

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url, status", [("/api/public/statements/²/", 404), ("/api/public/statements/1٣/", 404),
                                         ("/api/donations/receipts/?year=²", 403)])
def test_odd_digits_are_not_a_server_error(url, status):
    assert Client().get(url).status_code == status


def test_the_public_api_never_answers_with_a_page_carrying_a_csrf_token(history, finance_a, clerk):
    client = Client()
    client.force_login(clerk)
    response = client.get("/api/public/statements/", HTTP_ACCEPT="text/html")
    assert "csrf" not in response.content.decode().lower() and "csrftoken" not in response.cookies
    assert response.status_code in (200, 406)


def test_staff_answers_are_never_stored_in_shared_caches(history, finance_a):
    client = Client()
    client.force_login(finance_a)
    for url in ("/api/assistance/payouts/", "/api/donations/receipts/", "/api/donations/"):
        assert "no-store" in client.get(url)["Cache-Control"], url
    assert "public" in Client().get("/api/public/fund/")["Cache-Control"]


def test_a_download_changed_on_disk_is_reported(history, finance_a, public_root, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        may = statement_publish(statement=build("month", dt.date(2023, 5, 1), finance_a), acting_user=finance_a)
    path = public_root / "statements" / str(may.sequence) / "income.csv"
    path.write_bytes(path.read_bytes().replace(b"60000.00", b"6000.00"))
    with pytest.raises(CommandError, match="1 处问题"):
        call_command("verify_statements", stdout=io.StringIO(), stderr=io.StringIO())
    assert "statements/1/income.csv：与发布时记录的哈希不符" in Client().get("/disclosure/verify/").content.decode()
    call_command("write_public_files", stdout=io.StringIO())
    call_command("verify_statements", stdout=io.StringIO())


def test_head_requests_are_answered(history, finance_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        statement_publish(statement=build("month", dt.date(2023, 5, 1), finance_a), acting_user=finance_a)
    assert Client().head("/disclosure/statements/1/").status_code == 200
    assert Client().head("/disclosure/").status_code == 200
