"""The per-town outreach report: on random data, each officer's rows equal what the database holds
for their area, every eligible family counted in exactly one column; the .xlsx opens and says
what the screen says, its text cells safe from formulas."""
import datetime as dt
from io import BytesIO

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings as hypothesis_settings, strategies as st
from openpyxl import load_workbook

from assistance.models import Application, OutreachTask, ReviewCase
from assistance.outreach.report import COLUMNS, outreach_report
from fundportal.models import Region
from tests.fixtures.factories import (ApplicationFactory, EligibilityCategoryFactory, InsuredPersonFactory,
                                      OutreachTaskFactory, ReviewCaseFactory)

from .helpers import contact, submit

pytestmark = pytest.mark.django_db
YEAR = 2022
AREAS = ["hantian", "shadu", "tangxia", "xincheng_village", "mayu"]
# What becomes of a family: its review, its application, its outreach task.
KINDS = ["applied", "open", "overdue", "declined", "unreachable", "moved", "died", "applied_after_task",
         "applied_after_refusal", "not_followed", "not_eligible", "under_review", "other_year"]
PARTITION = ["applied", "open", "declined", "unreachable", "moved", "died", "not_followed"]


def _family(region: Region, kind: str, category) -> None:
    today, now = timezone.localdate(), timezone.now()
    person = InsuredPersonFactory(region=region)
    state = {"not_eligible": "not_eligible", "under_review": "at_village"}.get(kind, "eligible")
    case = ReviewCaseFactory(person=person, region=region, year=YEAR - 1 if kind == "other_year" else YEAR, state=state,
                             category=category if state == "eligible" else None,
                             decision_reason="收入超标" if state == "not_eligible" else "",
                             determined_at=now - dt.timedelta(days=40) if state != "at_village" else None)
    if kind in ("applied", "applied_after_task", "applied_after_refusal", "other_year", "not_eligible"):
        ApplicationFactory(person=person, year=case.year, review_case=case, region=region,
                           state="not_eligible" if kind == "not_eligible" else "ready")
    task = {"open": {}, "overdue": {"due_on": today - dt.timedelta(days=1)}, "applied_after_task": {"outcome": "applied"},
            "applied_after_refusal": {"outcome": "declined"}, "other_year": {}}.get(kind)
    if kind in ("declined", "unreachable", "moved", "died"):
        task = {"outcome": kind}
    if task is not None:
        closed = {"state": "closed", "closed_at": now} if task.get("outcome") else {}
        OutreachTaskFactory(review_case=case, **task, **closed)


def _expected(user, area_of) -> dict[str, dict[str, int]]:
    """The report recomputed family by family, straight from the rows."""
    today = timezone.localdate()
    counts: dict[str, dict[str, int]] = {}
    for case in ReviewCase.objects.filter(year=YEAR, state="eligible").select_related("region__parent"):
        area = area_of(user, case.region)
        if area is None:
            continue
        row = counts.setdefault(area, dict.fromkeys(["eligible", "overdue", *PARTITION], 0))
        row["eligible"] += 1
        task = OutreachTask.objects.filter(review_case=case).first()
        if Application.objects.filter(person_id=case.person_id, year=YEAR).exists() or (task and task.outcome == "applied"):
            row["applied"] += 1
        elif task is None:
            row["not_followed"] += 1
        elif task.state == "open":
            row["open"] += 1
            row["overdue"] += task.due_on < today
        else:
            row[task.outcome] += 1
    return counts


def _area_of(user, region: Region) -> str | None:
    if user.region is not None and not user.region.contains(region):  # the auditor has no area: all
        return None
    if user.region is not None and user.region.level == Region.Level.VILLAGE:
        return region.name
    return region.name if region.level == Region.Level.TOWN else region.parent.name


@hypothesis_settings(max_examples=15, deadline=None,
                     suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(families=st.lists(st.tuples(st.sampled_from(AREAS), st.sampled_from(KINDS)), max_size=24))
def test_the_reports_counts_equal_the_database_for_every_officer(families, regions, cab_city, cab_town, cab_village,
                                                                 other_town, auditor):
    with transaction.atomic():
        category = EligibilityCategoryFactory()
        for area, kind in families:
            _family(regions[area], kind, category)
        for user in (cab_city, cab_town, cab_village, other_town, auditor):
            *rows, total = outreach_report(user=user, year=YEAR)
            found = {row.area: {name: getattr(row, name) for name, _heading in COLUMNS} for row in rows}
            assert found == _expected(user, _area_of), user.username
            for row in [*rows, total]:
                assert row.eligible == sum(getattr(row, name) for name in PARTITION)  # one column each
                assert row.overdue <= row.open
            assert total.eligible == sum(row.eligible for row in rows)
            assert total.area == "合计"
        transaction.set_rollback(True)


def _screen_and_sheet(client, user, query=""):
    client.force_login(user)
    page = client.get(reverse("admin:assistance_outreachtask_report") + query)
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    sheet = client.get(reverse("admin:assistance_outreachtask_report") + (query or "?") + "&format=xlsx")
    assert sheet.status_code == 200 and sheet["Content-Type"].startswith("application/vnd.openxmlformats")
    assert f'filename="outreach-{YEAR}.xlsx"' in sheet["Content-Disposition"]
    book = load_workbook(BytesIO(sheet.content))
    return page, [list(row) for row in book.active.iter_rows(values_only=True)]


def test_the_xlsx_opens_and_its_numbers_are_the_screens(client, tasks, cab_town, cab_village, clerk):
    contact(tasks[0], cab_village, result="declined", reason="不愿申请")
    submit(clerk, tasks[1].review_case)
    page, lines = _screen_and_sheet(client, cab_town, f"?year={YEAR}")
    rows = page.context["rows"]
    assert lines[1] == ["乡镇/街道", *[str(heading) for _name, heading in COLUMNS]]
    assert lines[2:] == [[row.area, *row.counts()] for row in rows]
    assert [row.area for row in rows] == ["塘下镇", "合计"]
    tangxia = rows[0]
    assert (tangxia.eligible, tangxia.applied, tangxia.open, tangxia.declined) == (3, 1, 1, 1)
    html = page.content.decode()
    assert "2022 年应助未助跟进情况（按乡镇/街道）" in html and 'id="outreach-report"' in html


def test_a_village_officers_report_is_their_village(client, tasks, cab_village):
    page, lines = _screen_and_sheet(client, cab_village)
    assert [row.area for row in page.context["rows"]] == ["韩田村", "合计"]
    assert lines[1][0] == "村（社区）" and lines[2][:3] == ["韩田村", 2, 0]


def test_an_officer_of_another_town_counts_nothing_of_this_one(client, tasks, other_town):
    page, lines = _screen_and_sheet(client, other_town, f"?year={YEAR}")
    assert [(row.area, row.eligible) for row in page.context["rows"]] == [("合计", 0)]


def test_a_cell_that_would_be_a_formula_is_written_as_text(client, tasks, cab_town, regions):
    Region.objects.filter(pk=regions["tangxia"].pk).update(name="=HYPERLINK(\"http://x\")")
    page, lines = _screen_and_sheet(client, cab_town)
    assert lines[2][0] == "'=HYPERLINK(\"http://x\")"


@pytest.mark.parametrize("year", ["abc", "1999", "9" * 30])
def test_a_year_not_offered_is_ignored_with_a_message(client, tasks, cab_town, year):
    client.force_login(cab_town)
    page = client.get(reverse("admin:assistance_outreachtask_report"), {"year": year})
    assert page.status_code == 200 and page.context["year"] == YEAR
    assert "筛选条件“年度”的值无效" in page.content.decode()
