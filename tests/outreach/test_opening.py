"""An eligible family with no application becomes an outreach task for its village
OUTREACH_AFTER_DAYS days after the decision — by the daily run, once, however often and however
many at once it runs — and never when the family has applied, before the N days, or for someone
who died (their task closes as died)."""
import datetime as dt

import pytest
import time_machine
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from assistance.models import InsuredPerson, OutreachTask, ReviewCase
from assistance.outreach.defaults import OPEN_DUE_TASK
from assistance.outreach.services import outreach_open_due
from assistance.outreach.tasks import outreach_open_due_task
from tests.concurrency import run_concurrently

from .helpers import decided_days_ago, make_eligible, submit

pytestmark = pytest.mark.django_db


def _days_after_decision(days: int):
    """The clock `days` days on from now (the decisions were taken today), at the same hour."""
    return time_machine.travel(timezone.now() + dt.timedelta(days=days), tick=False)


def test_the_daily_run_opens_one_task_per_family_n_days_after_the_decision_and_not_before(eligible, settings,
                                                                                          regions):
    assert settings.OUTREACH_AFTER_DAYS == 30 and settings.OUTREACH_CONTACT_DAYS == 10
    decided_on = timezone.localdate()
    with _days_after_decision(29):
        assert outreach_open_due_task.delay().get() == 0
    assert not OutreachTask.objects.exists()
    with _days_after_decision(30):
        assert outreach_open_due_task.delay().get() == 3
        assert outreach_open_due_task.delay().get() == 0  # the next run finds them opened
    with _days_after_decision(31):
        assert outreach_open_due() == 0
    tasks = OutreachTask.objects.select_related("review_case", "region").order_by("review_case_id")
    assert [task.review_case for task in tasks] == eligible
    assert [task.region.name for task in tasks] == ["韩田村", "韩田村", "沙渎村"]  # the family's village
    for task in tasks:
        assert (task.state, task.outcome, task.closed_at, task.year) == ("open", "", None, 2022)
        assert timezone.localtime(task.opened_at).date() == decided_on + dt.timedelta(days=30)
        assert task.due_on == decided_on + dt.timedelta(days=40)
        assert task.history.get().history_change_reason == "认定符合条件已满 30 天，尚未提出救助申请"


def test_the_number_of_days_is_a_setting(eligible, settings):
    settings.OUTREACH_AFTER_DAYS = 7
    with _days_after_decision(6):
        assert outreach_open_due() == 0
    with _days_after_decision(7):
        assert outreach_open_due() == 3


def test_a_family_that_applied_gets_no_task(eligible, clerk):
    applied, *_others = eligible
    submit(clerk, applied)  # ready for costing: found eligible already
    decided_days_ago(eligible, 60)
    assert outreach_open_due() == 2
    assert not OutreachTask.objects.filter(review_case=applied).exists()


def test_families_not_found_eligible_get_no_task(shared_run, cab_city):
    ReviewCase.objects.update(determined_at=timezone.now() - dt.timedelta(days=90))  # undecided: first screening
    ReviewCase.objects.filter(pk=ReviewCase.objects.order_by("id").first().pk).update(
        state=ReviewCase.State.NOT_ELIGIBLE, decision_reason="家庭收入超标")
    assert outreach_open_due() == 0 and not OutreachTask.objects.exists()


def test_someone_who_died_gets_a_task_closed_as_died(eligible):
    InsuredPerson.objects.filter(pk=eligible[0].person_id).update(is_deceased=True)
    decided_days_ago(eligible, 30)
    assert outreach_open_due() == 3
    died = OutreachTask.objects.get(review_case=eligible[0])
    assert (died.state, died.outcome) == ("closed", "died") and died.closed_at is not None
    assert [r.history_change_reason for r in died.history.order_by("history_id")] == [
        "认定符合条件已满 30 天，尚未提出救助申请", "参保登记为已死亡，不再跟进"]
    assert OutreachTask.objects.filter(state="open").count() == 2


def test_an_open_task_closes_as_died_when_the_registry_records_the_death(task):
    InsuredPerson.objects.filter(pk=task.review_case.person_id).update(is_deceased=True)  # a later MSB import
    assert outreach_open_due() == 0
    task.refresh_from_db()
    assert (task.state, task.outcome) == ("closed", "died")


def test_the_run_is_on_the_daily_schedule():
    schedule = PeriodicTask.objects.get(task=OPEN_DUE_TASK)
    assert schedule.enabled and schedule.crontab.hour == "1" and schedule.crontab.day_of_week == "*"


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_open_each_task_once(shared_run, regions, cab_city, cab_town, cab_village, other_village):
    officers = {regions["hantian"].pk: cab_village, regions["shadu"].pk: other_village}
    cases = [make_eligible(case, cab_city=cab_city, cab_town=cab_town, village_officer=officers[case.region_id])
             for case in ReviewCase.objects.filter(region__in=officers).order_by("id")]
    decided_days_ago(cases, 30)
    results = run_concurrently(lambda i: outreach_open_due(), 4)
    assert all(isinstance(result, int) for result in results), results
    assert sum(results) == 3
    assert OutreachTask.objects.count() == 3
    assert OutreachTask.history.count() == 3  # one history row each: nobody wrote a second one


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_an_application_entered_while_the_run_opens_tasks_leaves_no_open_task_for_that_family(
        shared_run, regions, cab_city, cab_town, cab_village, clerk):
    applying, waiting = [make_eligible(case, cab_city=cab_city, cab_town=cab_town, village_officer=cab_village)
                         for case in ReviewCase.objects.filter(region=regions["hantian"]).order_by("id")]
    decided_days_ago([applying, waiting], 30)
    results = run_concurrently(lambda i: submit(clerk, applying) if i == 0 else outreach_open_due(), 2)
    assert not any(isinstance(result, Exception) for result in results), results
    task = OutreachTask.objects.filter(review_case=applying).first()
    # Whichever came first: no task (the run saw the application), or its task closed as applied.
    assert task is None or (task.state, task.outcome) == ("closed", "applied")
    assert OutreachTask.objects.get(review_case=waiting).state == "open"
