"""应助未助 outreach at the year's edges: a family found eligible for a cost year and with no
application *for that year* becomes a task for its village OUTREACH_AFTER_DAYS (30) days after the
decision, counted in Beijing days; an application for another cost year neither prevents nor
closes it; the contact deadline (OUTREACH_CONTACT_DAYS, 10 calendar days) runs into the new year.
"""
import datetime as dt

import pytest

from assistance.applications.services import application_submit
from assistance.models import Application, EligibilityCategory, OutreachTask, ReviewCase
from assistance.outreach.models import Outcome
from assistance.outreach.services import outreach_open_due

from .helpers import at, beijing, person_new

pytestmark = pytest.mark.django_db


def eligible_case(village, seed: int, *, year: int, decided_at: dt.datetime) -> ReviewCase:
    """Found eligible at `decided_at` (written directly: the review's own tests cover the way there)."""
    return ReviewCase.objects.create(person=person_new(village, seed), year=year, region=village,
                                     source=ReviewCase.Source.WARNING, state=ReviewCase.State.ELIGIBLE,
                                     state_since=decided_at, determined_at=decided_at,
                                     category=EligibilityCategory.objects.get(name="低保对象"))


def apply(clerk, case: ReviewCase, year: int) -> Application:
    person = case.person
    return application_submit(acting_user=clerk, resident_id=person.resident_id, name=person.name, region=case.region,
                              year=year, phone="13812345678", account_holder=person.name, bank_name="瑞安农商银行",
                              account_number="6228480012345673256", members=[{"name": person.name, "relation": "本人"}],
                              extra_costs=[], documents=[])


def test_thirty_beijing_days_after_the_decision_the_task_opens_on_new_years_day(regions):
    village = regions["hantian"]
    # 2 December counts on 1 January (30 days); 3 December, even at 00:00:01 — still 2 December
    # in UTC — does not yet.
    ripe = eligible_case(village, 6001, year=2023, decided_at=beijing(2023, 12, 2, 23, 59, 59))
    young = eligible_case(village, 6002, year=2023, decided_at=beijing(2023, 12, 3, 0, 0, 1))
    with at(2024, 1, 1, 0, 5, 0):  # the daily run just after midnight: 31 December in UTC
        assert outreach_open_due() == 1
    task = OutreachTask.objects.get()
    assert (task.review_case, task.year, task.due_on) == (ripe, 2023, dt.date(2024, 1, 11))
    with at(2024, 1, 2, 0, 5, 0):
        assert outreach_open_due() == 1
    assert OutreachTask.objects.get(review_case=young).due_on == dt.date(2024, 1, 12)


def test_an_application_for_another_cost_year_does_not_close_the_task(clerk, regions):
    village = regions["hantian"]
    case = eligible_case(village, 6003, year=2023, decided_at=beijing(2024, 2, 1, 10, 0, 0))
    with at(2024, 3, 5, 9, 0, 0):
        assert outreach_open_due() == 1
    task = OutreachTask.objects.get(review_case=case)
    with at(2024, 3, 6, 9, 0, 0):
        apply(clerk, case, 2022)  # last year's costs: not the application the task waits for
    task.refresh_from_db()
    assert task.state == OutreachTask.State.OPEN
    with at(2024, 3, 7, 9, 0, 0):
        application = apply(clerk, case, 2023)
    task.refresh_from_db()
    assert application.state == Application.State.READY  # eligible for 2023: ready for costing
    assert (task.state, task.outcome) == (OutreachTask.State.CLOSED, Outcome.APPLIED)


def test_an_application_for_one_cost_year_prevents_that_years_task_only(clerk, regions):
    village = regions["hantian"]
    case_2022 = eligible_case(village, 6004, year=2022, decided_at=beijing(2023, 3, 1, 10, 0, 0))
    apply(clerk, case_2022, 2022)
    case_2023 = ReviewCase.objects.create(
        person=case_2022.person, year=2023, region=village, source=ReviewCase.Source.WARNING,
        state=ReviewCase.State.ELIGIBLE, state_since=beijing(2024, 3, 1, 10, 0, 0),
        determined_at=beijing(2024, 3, 1, 10, 0, 0), category=EligibilityCategory.objects.get(name="低保对象"))
    with at(2024, 4, 1, 9, 0, 0):
        assert outreach_open_due() == 1
    assert list(OutreachTask.objects.values_list("review_case", "year")) == [(case_2023.pk, 2023)]
