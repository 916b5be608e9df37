"""What an adversarial review of the disclosure code found, each held by a test."""
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import translation

from disclosure.content import statement_content
from disclosure.models import Statement
from disclosure.services import period_for, statement_build, statement_correct, statement_publish, statement_request
from donations.models import Pledge, PledgeInstalment
from fundportal.models import LedgerEntry
from tests.donations.helpers import record

pytestmark = pytest.mark.django_db


def build(kind, day, user) -> Statement:
    start, end = period_for(kind, day)
    return statement_build(statement_id=statement_request(kind=kind, period_start=start, period_end=end,
                                                          acting_user=user).pk)


def test_a_gift_given_anonymously_is_not_tied_to_its_giver_through_the_pledge_table(history, finance_a):
    pledge = Pledge.objects.create(donor=history["hospital"], total=Decimal("100000"), signed_on=dt.date(2023, 5, 1),
                                   created_by=finance_a)
    instalment = PledgeInstalment.objects.create(pledge=pledge, sequence=1, due_on=dt.date(2023, 5, 30),
                                                 amount=Decimal("100000"))
    record(finance_a, amount="50000.00", donor=history["hospital"], is_anonymous=True, instalment=instalment,
           received_on=dt.date(2023, 5, 25))
    content = build("month", dt.date(2023, 5, 1), finance_a).content
    assert [row["donor"] for row in content["pledges"]["rows"]] == ["匿名"]
    assert "匿名" in [row["donor"] for row in content["income"]["rows"]]


def test_an_entry_dated_in_a_published_period_is_booked_on_the_first_open_day(history, finance_a):
    statement_publish(statement=build("month", dt.date(2023, 5, 1), finance_a), acting_user=finance_a)
    late = record(finance_a, amount="7777.00", received_on=dt.date(2023, 5, 15))
    entry = LedgerEntry.objects.get(kind="income", source_id=str(late.pk))
    assert entry.booked_on == dt.date(2023, 6, 1) and late.received_on == dt.date(2023, 5, 15)
    june = build("month", dt.date(2023, 6, 1), finance_a)
    may = Statement.objects.get(kind="month", period_start=dt.date(2023, 5, 1))
    assert june.content["opening_balance"] == may.content["closing_balance"]
    assert "7777.00" in [row["amount"] for row in june.content["income"]["rows"]]


def test_a_statement_is_not_published_if_the_ledger_moved_since_it_was_built(history, finance_a):
    june = build("month", dt.date(2023, 6, 1), finance_a)
    record(finance_a, amount="100.00", received_on=dt.date(2023, 6, 10))
    with pytest.raises(ValidationError, match="生成后账目有变动"):
        statement_publish(statement=june, acting_user=finance_a)
    assert statement_publish(statement=build("month", dt.date(2023, 6, 1), finance_a), acting_user=finance_a)


def test_content_is_the_same_whatever_language_the_builder_reads(history, finance_a):
    start, end = period_for("month", dt.date(2023, 5, 1))
    with translation.override("en"):
        english = statement_content(start, end)
    assert english == statement_content(start, end)
    assert {row["donor_kind"] for row in english["income"]["rows"]} == {"医院", "个人"}


def test_a_wrong_file_name_on_a_correction_writes_nothing(history, finance_a, public_root, monkeypatch):
    from disclosure import pages

    may = statement_publish(statement=build("month", dt.date(2023, 5, 1), finance_a), acting_user=finance_a)
    correction = statement_correct(statement=may, notice="日期更正", acting_user=finance_a)
    writes = []
    monkeypatch.setattr(pages, "_write", lambda path, data: writes.append(path))
    for _ in range(3):
        assert Client().get(f"/disclosure/statements/{correction.sequence}/income.csv").status_code == 404
    assert writes == []
    with pytest.raises(ValidationError, match="更正说明不能再更正"):
        statement_correct(statement=correction, notice="再更正", acting_user=finance_a)


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
