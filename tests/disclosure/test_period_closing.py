"""The core owns period closing: publishing a statement closes its period on the fund account,
under the same row lock every posting takes, so a posting and a publication never cross — an
entry is either in the published statement or booked after its period, never lost inside it."""
import datetime as dt
import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connections, transaction

from disclosure.content import statement_content
from disclosure.models import Statement
from disclosure.services import statement_publish
from fundportal.models import FundAccount, LedgerEntry
from fundportal.services import fund_account_main, ledger_post_income
from tests.disclosure.helpers import build
from tests.donations.helpers import record

MAY = dt.date(2023, 5, 1)


def _in_thread(fn):
    outcome = {}

    def run():
        try:
            outcome["result"] = fn()
        except Exception as exc:  # the test reads what the thread met
            outcome["error"] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def _nothing_lost_in_published_periods():
    for statement in Statement.objects.filter(state="published").exclude(kind="correction"):
        assert statement_content(statement.period_start, statement.period_end) == statement.content


def test_publishing_closes_the_period_on_the_fund_account(finance):
    record(finance, amount="100.00", received_on=dt.date(2023, 5, 8))
    statement_publish(statement=build("month", MAY, finance), acting_user=finance)
    account = FundAccount.objects.get(pk=fund_account_main().pk)
    assert account.closed_through == dt.date(2023, 5, 31)
    assert account.history.first().history_change_reason.startswith("发布《")


def test_closing_never_moves_back_to_an_earlier_day(finance):
    from fundportal.services import fund_period_close

    account = fund_period_close(account=fund_account_main(), through=dt.date(2023, 6, 30), acting_user=finance)
    account = fund_period_close(account=account, through=dt.date(2023, 5, 31), acting_user=finance)
    assert account.closed_through == dt.date(2023, 6, 30)


@pytest.mark.django_db(transaction=True)
def test_an_entry_posted_while_its_period_is_published_is_not_lost_in_it(finance):
    """The posting holds the account first: the publication waits for it, then finds the ledger
    moved and refuses (the statement is built again); the entry is in the ledger of May."""
    gift = record(finance, amount="100.00", received_on=dt.date(2023, 5, 8))
    statement = build("month", MAY, finance)
    posted, go_on = threading.Event(), threading.Event()

    def post_late_entry_and_wait():
        with transaction.atomic():
            entry = ledger_post_income(amount="50.00", source=gift, memo="迟到的入账", acting_user=finance,
                                       booked_on=dt.date(2023, 5, 20))
            posted.set()
            go_on.wait(10)
        return entry

    poster, posting = _in_thread(post_late_entry_and_wait)
    assert posted.wait(10)
    publisher, publishing = _in_thread(lambda: statement_publish(statement=statement, acting_user=finance))
    time.sleep(0.5)  # the publication is now waiting for the account's lock
    go_on.set()
    poster.join(20), publisher.join(20)

    assert posting["result"].booked_on == dt.date(2023, 5, 20)
    assert isinstance(publishing.get("error"), ValidationError), publishing
    assert "生成后账目有变动" in str(publishing["error"])
    _nothing_lost_in_published_periods()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_an_entry_posted_while_a_publication_commits_is_booked_after_its_period(finance):
    """The publication holds the account first: the posting waits for it, then books the entry on
    the first day after the period the publication closed."""
    gift = record(finance, amount="100.00", received_on=dt.date(2023, 5, 8))
    statement = build("month", MAY, finance)
    published, go_on = threading.Event(), threading.Event()

    def publish_and_wait():
        with transaction.atomic():
            result = statement_publish(statement=statement, acting_user=finance)
            published.set()
            go_on.wait(10)
        return result

    publisher, publishing = _in_thread(publish_and_wait)
    assert published.wait(10)
    poster, posting = _in_thread(lambda: ledger_post_income(
        amount="50.00", source=gift, memo="迟到的入账", acting_user=finance, booked_on=dt.date(2023, 5, 20)))
    time.sleep(0.5)  # the posting is now waiting for the account's lock
    go_on.set()
    publisher.join(20), poster.join(20)

    assert publishing.get("result") is not None, publishing
    assert posting["result"].booked_on == dt.date(2023, 6, 1)
    assert LedgerEntry.objects.filter(booked_on__lte=dt.date(2023, 5, 31)).count() == 1
    _nothing_lost_in_published_periods()
