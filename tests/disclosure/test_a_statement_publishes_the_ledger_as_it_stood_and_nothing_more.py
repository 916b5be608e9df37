"""A statement publishes the ledger as it stood, and nothing more: a gift given anonymously is not
tied to its giver through the pledges, an entry dated in a published period is booked on the next
open day, a statement is not published if the ledger moved since it was built, its content is the
same whatever language the builder reads, and a correction is final and writes no file of its own
by mistake."""
import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation

from disclosure.content import statement_content
from disclosure.models import Statement
from disclosure.services import period_for, statement_correct, statement_publish
from donations.models import Pledge, PledgeInstalment
from fundportal.models import LedgerEntry
from tests.disclosure.helpers import build
from tests.donations.helpers import record

pytestmark = pytest.mark.django_db


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
