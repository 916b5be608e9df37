"""Bulk moves at city scale, deadlines and the overdue count, the per-town report."""
import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assistance.review import services as review
from assistance.models import EligibilityCategory, OverdueCount, ReviewCase
from assistance.review.selectors import review_report
from assistance.review.tasks import review_overdue_count_task
from django_celery_beat.models import PeriodicTask
from openpyxl import load_workbook
from tests.fixtures.screening import make_run

pytestmark = pytest.mark.django_db
State = ReviewCase.State


@pytest.mark.slow
def test_bulk_dispatch_of_5000_cases_takes_a_bounded_number_of_queries(msb, regions, cab_city):
    villages = [regions["hantian"], regions["shadu"], regions["xincheng_village"], regions["tangxia"]]
    run = make_run(msb, [(seed, villages[seed % 4]) for seed in range(5000)])
    review.review_cases_open_for_run(run=run, acting_user=msb)
    with CaptureQueriesContext(connection) as queries:
        moved = review.review_cases_dispatch(run=run, acting_user=cab_city)
    assert moved == 5000
    assert len(queries) <= 15, [query["sql"][:120] for query in queries]
    assert set(ReviewCase.objects.values_list("state", flat=True)) == {State.AT_TOWN}
    case = ReviewCase.objects.order_by("?").first()
    latest = case.history.first()
    assert (latest.state, latest.history_user, latest.history_change_reason) == (
        State.AT_TOWN, cab_city, "监测初筛完成，批量派至乡镇（街道）")


def test_a_town_hands_its_village_cases_over_in_one_go_and_keeps_the_town_level_ones(
        shared_run, cab_city, cab_town):
    review.review_cases_dispatch(run=shared_run, acting_user=cab_city)
    moved = review.review_cases_assign(run=shared_run, acting_user=cab_town)
    assert moved == 3  # 韩田村 ×2, 沙渎村; the case registered at 塘下镇 level waits for its village
    states = dict(ReviewCase.objects.values_list("region__name", "state").order_by("region__name", "state"))
    assert states["塘下镇"] == State.AT_TOWN and states["莘塍街道"] == State.AT_TOWN  # the other town's: untouched
    assert states["韩田村"] == State.AT_VILLAGE and states["沙渎村"] == State.AT_VILLAGE


def test_a_town_officers_bulk_dispatch_is_refused_and_a_village_cannot_bulk_assign(
        shared_run, cab_town, cab_village):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        review.review_cases_dispatch(run=shared_run, acting_user=cab_town)
    with pytest.raises(PermissionDenied):
        review.review_cases_assign(run=shared_run, acting_user=cab_village)
    assert set(ReviewCase.objects.values_list("state", flat=True)) == {State.FIRST_SCREENING}


def test_overdue_cases_are_counted_per_town_and_state_daily_and_a_rerun_replaces_the_count(
        shared_run, cab_city):
    review.review_cases_dispatch(run=shared_run, acting_user=cab_city)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    ReviewCase.objects.filter(region__name__in=["韩田村", "沙渎村"]).update(due_on=yesterday)
    ReviewCase.objects.filter(region__name="东风社区").update(due_on=yesterday, state=State.ELIGIBLE,
                                                          category=EligibilityCategory.objects.first())
    assert review_overdue_count_task() == 3
    assert review_overdue_count_task() == 3
    counts = {(row.town.name, row.state): row.count for row in OverdueCount.objects.filter(day=timezone.localdate())}
    assert counts == {("塘下镇", State.AT_TOWN): 3}  # a decided case is never overdue


def test_the_daily_overdue_job_is_on_the_beat_schedule():
    task = PeriodicTask.objects.get(task="assistance.tasks.review_overdue_count_task")
    assert task.enabled and task.crontab.hour == "1"


def test_the_report_counts_per_town_within_the_officers_area(shared_run, cab_city, cab_town, cab_village,
                                                            cab_city_colleague, regions):
    review.review_cases_dispatch(run=shared_run, acting_user=cab_city)
    review.review_cases_assign(run=shared_run, acting_user=cab_town)
    hantian = ReviewCase.objects.filter(region__name="韩田村").order_by("id")
    for case in hantian:
        review.review_case_verify(case=case, acting_user=cab_village, household=[{"name": case.person.name, "relation": "本人"}],
                                  household_income=1000,
                                  visited_on=timezone.localdate())
    review.review_case_determine(case=hantian[0], acting_user=cab_city, eligible=True,
                                 category=EligibilityCategory.objects.get(name="低保对象"))
    review.review_case_determine(case=hantian[1], acting_user=cab_city, eligible=False, reason="收入超标")
    ReviewCase.objects.filter(region__name="沙渎村").update(due_on=timezone.localdate() - dt.timedelta(days=2))

    categories, rows = review_report(user=cab_city, run=shared_run)
    assert categories == ["特困人员", "低保对象", "低保边缘家庭", "支出型困难家庭", "防止返贫监测对象"]
    by_town = {row.area: row for row in rows}
    tangxia = by_town["塘下镇"]
    assert (tangxia.cases, tangxia.dispatched, tangxia.verified, tangxia.eligible["低保对象"], tangxia.eligible_total,
            tangxia.not_eligible, tangxia.overdue) == (4, 4, 2, 1, 1, 1, 1)
    assert (by_town["莘塍街道"].cases, by_town["莘塍街道"].verified) == (2, 0)
    assert (by_town["合计"].cases, by_town["合计"].eligible_total) == (6, 1)

    _categories, town_rows = review_report(user=cab_town, run=shared_run)
    assert [row.area for row in town_rows] == ["塘下镇", "合计"]  # the town officer sees their own town only


def test_a_village_officers_report_labels_their_counts_by_their_own_village(client, shared_run, cab_village):
    _categories, rows = review_report(user=cab_village, run=shared_run)
    assert [(row.area, row.cases) for row in rows] == [("韩田村", 2), ("合计", 2)]  # never "塘下镇": not the town's
    client.force_login(cab_village)
    page = client.get(reverse("admin:assistance_reviewcase_report"))
    html = page.content.decode()
    assert "<th>村（社区）</th>" in html and "<td>韩田村</td>" in html and "<td>塘下镇</td>" not in html
    download = client.get(reverse("admin:assistance_reviewcase_report"), {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(download.content)).active
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["村（社区）", "韩田村", "合计"]
