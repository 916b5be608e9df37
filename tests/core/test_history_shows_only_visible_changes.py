"""History shows what a person can see change: a change whose before and after read the same (a
time that moved by microseconds, shown to the second) is no change, and a 修改 row with no visible
change and no reason (a save of nothing history keeps) is not listed — on the history pages and in
the audit trail alike. The oldest row of a history page still shows its change (compared with the
row on the next page)."""
import datetime as dt

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from disclosure.models import Statement

pytestmark = pytest.mark.django_db

BUILT = "<strong>生成时间</strong>"


@pytest.fixture
def statement():
    statement = Statement.objects.create(kind=Statement.Kind.MONTH, period_start=dt.date(2024, 3, 1),
                                         period_end=dt.date(2024, 3, 31), title="2024年3月收支公示")
    built = timezone.now().replace(microsecond=100)
    statement.built_at = built
    statement.save()  # a real change: 生成时间 — → 2024-…
    statement.built_at = built + dt.timedelta(microseconds=300)
    statement.save()  # reads the same to the second
    statement.steps_done = 7
    statement.save()  # only what history does not keep
    return statement


def test_a_change_that_reads_the_same_and_an_empty_row_are_not_on_the_history_page(client, auditor, statement):
    assert statement.history.count() == 4
    client.force_login(auditor)
    page = client.get(reverse("admin:disclosure_statement_history", args=[statement.pk])).content.decode()
    assert page.count(BUILT) == 1
    assert page.count("<td>修改</td>") == 1 and page.count("<td>创建</td>") == 1


def test_nor_in_the_audit_trail(client, auditor, statement):
    client.force_login(auditor)
    rows = client.get(reverse("audit_trail"), {"model": "disclosure.statement"}).context["rows"]
    assert [row.action for row in rows] == ["修改", "创建"]
    assert [(c.field, c.old) for c in rows[0].changes] == [("生成时间", "")]


def test_the_oldest_row_of_a_history_page_shows_its_change(client, auditor, statement, monkeypatch):
    for title in ("第一次改名", "第二次改名"):
        statement.title = title
        statement.save()
    monkeypatch.setattr(admin.site.get_model_admin(Statement), "history_list_per_page", 2)
    client.force_login(auditor)
    page = client.get(reverse("admin:disclosure_statement_history", args=[statement.pk])).content.decode()
    assert "2024年3月收支公示 → 第一次改名" in page and "第一次改名 → 第二次改名" in page
