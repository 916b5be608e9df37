"""Statements: built from the ledger (rows are its entries, totals their sums), idempotent builds,
publication into a hash chain that cannot fork or be changed, verification and tamper detection."""
import datetime as dt
import hashlib
import itertools
import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.db.models import Sum

from disclosure.content import canonical, statement_content
from disclosure.models import Statement
from disclosure.services import (chain_problems, period_for, previous_period, statement_build, statement_correct,
                                 statement_publish, statement_request)
from fundportal.models import LedgerEntry

pytestmark = pytest.mark.django_db
D = Decimal


def build(kind, day, user):
    start, end = period_for(kind, day)
    statement = statement_request(kind=kind, period_start=start, period_end=end, acting_user=user)
    return statement_build(statement_id=statement.pk)


def test_periods():
    assert period_for("month", dt.date(2023, 2, 14)) == (dt.date(2023, 2, 1), dt.date(2023, 2, 28))
    assert period_for("quarter", dt.date(2023, 5, 31)) == (dt.date(2023, 4, 1), dt.date(2023, 6, 30))
    assert period_for("year", dt.date(2024, 2, 29)) == (dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    assert previous_period("month", dt.date(2024, 1, 1)) == (dt.date(2023, 12, 1), dt.date(2023, 12, 31))
    assert previous_period("quarter", dt.date(2024, 4, 1)) == (dt.date(2024, 1, 1), dt.date(2024, 3, 31))


def test_a_statement_is_the_ledger_of_its_period(history, finance_a):
    june = build("month", dt.date(2023, 6, 1), finance_a).content
    assert june["opening_balance"] == "60500.00"
    assert [row["donor"] for row in june["income"]["rows"]] == ["匿名"]
    assert [(row["amount"], row["note"]) for row in june["payouts"]["rows"]] == [("35000.00", ""), ("21000.00", "")]
    assert june["payouts"]["people"] == 2 and june["closing_balance"] == "24500.00"
    july = build("month", dt.date(2023, 7, 1), finance_a).content
    assert [(row["amount"], row["note"]) for row in july["payouts"]["rows"]] == [("-21000.00", "银行退回")]
    assert july["closing_balance"] == "45500.00"
    may = build("month", dt.date(2023, 5, 1), finance_a).content
    assert {row["donor"]: row["donor_kind"] for row in may["income"]["rows"]} == {"瑞安市人民医院": "医院",
                                                                                   "林*芳": "个人"}
    # Every row is a ledger entry of the period and every total is the sum of its rows.
    for content, start, end in ((may, dt.date(2023, 5, 1), dt.date(2023, 5, 31)),
                                (june, dt.date(2023, 6, 1), dt.date(2023, 6, 30))):
        entries = LedgerEntry.objects.filter(booked_on__range=(start, end))
        assert {row["entry"] for row in content["income"]["rows"] + content["payouts"]["rows"]} == set(
            entries.values_list("pk", flat=True))
        assert D(content["income"]["total"]) - D(content["payouts"]["total"]) == entries.aggregate(
            s=Sum("amount"))["s"]


def test_no_personal_data_goes_into_a_statement(history, finance_a):
    text = canonical(build("year", dt.date(2023, 1, 1), finance_a).content)
    for application in (history["first"], history["second"]):
        person = application.person
        for secret in (person.resident_id, person.name, application.account_number, application.phone):
            assert secret not in text
    assert history["person"].name not in text  # the individual donor is masked too


def test_building_is_idempotent_and_a_published_statement_is_never_rebuilt(history, finance_a):
    first = build("month", dt.date(2023, 6, 1), finance_a)
    again = build("month", dt.date(2023, 6, 1), finance_a)
    assert first.pk == again.pk and first.content == again.content
    assert Statement.objects.count() == 1
    statement_publish(statement=again, acting_user=finance_a)
    with pytest.raises(ValidationError, match="已发布，不能重新生成"):
        build("month", dt.date(2023, 6, 1), finance_a)
    assert statement_build(statement_id=first.pk).sha256 == Statement.objects.get(pk=first.pk).sha256


@pytest.mark.parametrize("kind, start, end, message", [
    ("month", dt.date(2023, 6, 2), dt.date(2023, 6, 30), "完整的自然月"),
    ("custom", dt.date(2023, 6, 30), dt.date(2023, 6, 1), "开始日期不能晚于结束日期"),
    ("custom", dt.date(2023, 6, 1), dt.date(2099, 1, 1), "已经结束的期间"),
    ("weekly", dt.date(2023, 6, 1), dt.date(2023, 6, 7), "类型无效"),
])
def test_bad_periods_are_refused(finance_a, kind, start, end, message):
    with pytest.raises(ValidationError, match=message):
        statement_request(kind=kind, period_start=start, period_end=end, acting_user=finance_a)


@pytest.mark.parametrize("persona", ["clerk", "msb", "auditor"])
def test_only_finance_builds_and_publishes(request, persona, history, finance_a):
    user = request.getfixturevalue(persona)
    start, end = period_for("month", dt.date(2023, 6, 1))
    with pytest.raises(PermissionDenied):
        statement_request(kind="month", period_start=start, period_end=end, acting_user=user)
    statement = build("month", dt.date(2023, 6, 1), finance_a)
    with pytest.raises(PermissionDenied):
        statement_publish(statement=statement, acting_user=user)


def test_publishing_chains_each_statement_to_the_previous_one(history, finance_a):
    may = statement_publish(statement=build("month", dt.date(2023, 5, 1), finance_a), acting_user=finance_a)
    june = statement_publish(statement=build("month", dt.date(2023, 6, 1), finance_a), acting_user=finance_a)
    assert (may.sequence, may.previous, june.sequence, june.previous) == (1, None, 2, may)
    document = json.loads(june.document)
    assert document["previous_sha256"] == may.sha256 == june.previous_sha256
    assert hashlib.sha256(june.document.encode()).hexdigest() == june.sha256
    assert document["content"] == june.content and document["title"] == "2023年6月收支公示"
    correction = statement_correct(statement=may, notice="5月20日个人捐赠实为林小芳女士与家人共同捐赠。",
                                   acting_user=finance_a)
    assert (correction.sequence, correction.previous, correction.corrects) == (3, june, may)
    assert chain_problems() == []
    call_command("verify_statements", stdout=__import__("io").StringIO())


def test_a_published_statement_cannot_be_changed_or_deleted(history, finance_a):
    june = statement_publish(statement=build("month", dt.date(2023, 6, 1), finance_a), acting_user=finance_a)
    june.title = "改过的标题"
    for attempt in (june.save, june.delete,
                    lambda: Statement.objects.filter(pk=june.pk).update(content={}),
                    lambda: connection.cursor().execute("DELETE FROM disclosure_statement WHERE id = %s", [june.pk])):
        # The ORM's own protection (ChainHead points at it) or the trigger: either way, refused.
        with pytest.raises(DatabaseError, match="published statements are immutable|protected"), \
                transaction.atomic():
            attempt()
    with pytest.raises(ValidationError, match="只有已生成的公示可以发布"):
        statement_publish(statement=june, acting_user=finance_a)


def test_a_statement_changed_behind_the_apps_back_is_detected(history, finance_a):
    statement_publish(statement=build("month", dt.date(2023, 5, 1), finance_a), acting_user=finance_a)
    june = statement_publish(statement=build("month", dt.date(2023, 6, 1), finance_a), acting_user=finance_a)
    forged = dict(june.content, closing_balance="99999999.00")
    with connection.cursor() as cursor:  # someone with database superuser access, triggers switched off
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("UPDATE disclosure_statement SET content = %s WHERE id = %s", [json.dumps(forged), june.pk])
        cursor.execute("SET LOCAL session_replication_role = DEFAULT")
    assert chain_problems() == ["第 2 号《2023年6月收支公示》：公示内容与发布文本不符，内容被改动过"]
    document = june.document.replace('"closing_balance":"24500.00"', '"closing_balance":"99999999.00"')
    with connection.cursor() as cursor:  # and now the document too: the hash gives it away
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("UPDATE disclosure_statement SET document = %s WHERE id = %s", [document, june.pk])
        cursor.execute("SET LOCAL session_replication_role = DEFAULT")
    assert chain_problems() == ["第 2 号《2023年6月收支公示》：发布文本的哈希与记录不符，文本被改动过"]
    err = __import__("io").StringIO()
    with pytest.raises(CommandError, match="2 处问题"):  # the chain's, and the transparency log's
        call_command("verify_statements", stdout=__import__("io").StringIO(), stderr=err)
    assert "与透明日志中记下的发布文本或明细不符" in err.getvalue()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_two_statements_published_at_the_same_moment_never_fork_the_chain(history, finance_a):
    from tests.concurrency import run_concurrently

    built = [build("month", dt.date(2023, month, 1), finance_a) for month in (5, 6, 7, 8)]
    results = run_concurrently(lambda i: statement_publish(statement=built[i], acting_user=finance_a), 4)
    assert all(isinstance(result, Statement) for result in results), results
    chain = list(Statement.objects.filter(state="published").order_by("sequence"))
    assert [s.sequence for s in chain] == [1, 2, 3, 4]
    assert [s.previous_id for s in chain] == [None] + [s.pk for s in chain[:-1]]
    assert chain_problems() == []
    # The transparency log took them one at a time too: each statement's leaves in one run, in
    # publication order, numbered without a gap, every checkpoint a prefix of the one tree.
    from disclosure.models import LogLeaf
    from disclosure.transparency.checks import log_problems

    runs = [statement_id for statement_id, _ in itertools.groupby(
        LogLeaf.objects.exclude(kind="file").order_by("index").values_list("statement_id", flat=True))]
    assert runs == [s.pk for s in chain]
    assert list(LogLeaf.objects.order_by("index").values_list("index", flat=True)) == list(range(LogLeaf.objects.count()))
    assert log_problems() == []


def test_the_beat_schedule_builds_each_period_on_the_first(db):
    from django_celery_beat.models import PeriodicTask

    tasks = {json.loads(t.kwargs)["kind"]: t for t in PeriodicTask.objects.filter(
        task="disclosure.tasks.statement_scheduled_task")}
    assert set(tasks) == {"month", "quarter", "year"}
    assert tasks["month"].crontab.day_of_month == "1" and tasks["quarter"].crontab.month_of_year == "1,4,7,10"
    assert all(task.enabled for task in tasks.values())


def test_the_scheduled_task_builds_the_period_just_ended(history, django_capture_on_commit_callbacks):
    from disclosure.tasks import statement_scheduled_task

    with django_capture_on_commit_callbacks(execute=True):
        statement_id = statement_scheduled_task("month")
    statement = Statement.objects.get(pk=statement_id)
    assert statement.state == Statement.State.BUILT and statement.requested_by is None
    assert (statement.period_start, statement.period_end) == previous_period("month", dt.date.today())


def test_content_equals_what_a_fresh_read_of_the_ledger_gives(history):
    start, end = dt.date(2023, 1, 1), dt.date(2023, 12, 31)
    assert statement_content(start, end) == statement_content(start, end)
