"""The 公示 runs PUBLICITY_DAYS calendar days from signing, both ends included (holidays count);
an objection is due OBJECTION_WORKING_DAYS working days after it was received (holidays do not
count, 调休 weekends do). The expected dates are counted by hand below, never by the function
under test."""
import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from assistance.models import Publicity
from assistance.payouts.services import payout_batch_create
from assistance.publicity.services import objection_record

from .helpers import entry_of

pytestmark = pytest.mark.django_db


def test_signing_posts_the_approved_entries_for_seven_calendar_days(publicity_running, today):
    resolution, first, second = publicity_running
    publicity = Publicity.objects.get(resolution=resolution)
    # Signed today: today is day 1, day 7 is six days on; paid from the day after.
    assert (publicity.starts_on, publicity.ends_on, publicity.days) == (today, today + dt.timedelta(days=6), 7)
    assert publicity.payable_from == today + dt.timedelta(days=7)
    assert [(e.line, e.item.application_id, e.amount) for e in publicity.entries.order_by("line")] == [
        (1, first.pk, 35000), (2, second.pk, 21000)]
    assert {e.shown_name[-1] for e in publicity.entries.all()} <= {"*", *"一二三四五0123456789"}
    assert all(e.shown_name != e.item.application.person.name for e in publicity.entries.all())


def test_the_period_is_configurable(settings, secretary, clerk, town, scheme, finance_a, today):
    from assistance.council.services import resolution_draft_payouts, resolution_sign
    from tests.fixtures.council import fund, meeting_with_quorum, ready_application

    settings.PUBLICITY_DAYS = 10
    fund("50000", finance_a)
    ready_application(clerk, town, out_of_pocket="20000")
    resolution = resolution_sign(resolution=resolution_draft_payouts(
        meeting=meeting_with_quorum(secretary), scheme=scheme, acting_user=secretary), acting_user=secretary)
    publicity = resolution.publicity
    assert (publicity.days, publicity.ends_on, publicity.payable_from) == (
        10, today + dt.timedelta(days=9), today + dt.timedelta(days=10))


def test_the_period_counts_holidays_as_calendar_days(secretary, clerk, town, scheme, finance_a, monkeypatch):
    """Signed on Wed 2023-09-27, the 公示 runs over 中秋/国庆 (09-29..10-06): day 1 is 09-27, day 7
    is 10-03, and it may be paid from 10-04 — holidays are days of a 公示 like any other."""
    from assistance.council.services import resolution_draft_payouts, resolution_sign
    from tests.fixtures.council import fund, meeting_with_quorum, ready_application

    real = timezone.localdate
    monkeypatch.setattr(timezone, "localdate", lambda value=None, timezone=None:
                        dt.date(2023, 9, 27) if value is None else real(value, timezone))
    fund("50000", finance_a)
    ready_application(clerk, town, out_of_pocket="20000")
    resolution = resolution_sign(resolution=resolution_draft_payouts(
        meeting=meeting_with_quorum(secretary), scheme=scheme, acting_user=secretary), acting_user=secretary)
    publicity = Publicity.objects.get(resolution=resolution)
    assert (publicity.starts_on, publicity.ends_on, publicity.payable_from) == (
        dt.date(2023, 9, 27), dt.date(2023, 10, 3), dt.date(2023, 10, 4))


def test_no_batch_while_the_period_runs_and_the_refusal_says_until_when(publicity_running, finance_a, today):
    resolution, _first, _second = publicity_running
    end = today + dt.timedelta(days=6)
    with pytest.raises(ValidationError, match=f"公示期至 {end:%Y-%m-%d}，期满后方可发放"):
        payout_batch_create(resolution=resolution, acting_user=finance_a)


def test_the_last_day_of_the_period_still_holds_and_the_day_after_pays(publicity_running, finance_a, today):
    resolution, _first, _second = publicity_running
    Publicity.objects.filter(resolution=resolution).update(starts_on=today - dt.timedelta(days=6), ends_on=today)
    with pytest.raises(ValidationError, match="期满后方可发放"):
        payout_batch_create(resolution=resolution, acting_user=finance_a)
    Publicity.objects.filter(resolution=resolution).update(starts_on=today - dt.timedelta(days=7),
                                                           ends_on=today - dt.timedelta(days=1))
    assert payout_batch_create(resolution=resolution, acting_user=finance_a).payouts.count() == 2


def _received(resolution, first, clerk, day: dt.date):
    """An objection received on `day`, the 公示 moved so that the day falls inside it."""
    Publicity.objects.filter(resolution=resolution).update(starts_on=day - dt.timedelta(days=2),
                                                           ends_on=day + dt.timedelta(days=4))
    return objection_record(entry=entry_of(first), channel="letter", content="反映该户有房产出租收入",
                            received_on=day, acting_user=clerk)


def test_the_objection_deadline_skips_national_day_and_counts_its_adjusted_weekend(publicity_running, clerk):
    resolution, first, _second = publicity_running
    # Received Wed 2023-09-27. Working days after it: 09-28 (1); 09-29..10-06 中秋+国庆 off;
    # Sat 10-07 (2) and Sun 10-08 (3) are 调休 workdays; 10-09..10-13 (4-8); 10-16..10-20 (9-13);
    # 10-23..10-27 (14-18); Mon 10-30 (19), Tue 10-31 (20).
    assert _received(resolution, first, clerk, dt.date(2023, 9, 27)).due_on == dt.date(2023, 10, 31)


def test_the_objection_deadline_skips_spring_festival(publicity_running, clerk):
    resolution, first, _second = publicity_running
    # Received Mon 2024-02-05. 02-06..02-09 (1-4); 02-10..02-17 春节 off; Sun 02-18 调休 (5);
    # 02-19..02-23 (6-10); 02-26..03-01 (11-15); 03-04..03-08 (16-20).
    assert _received(resolution, first, clerk, dt.date(2024, 2, 5)).due_on == dt.date(2024, 3, 8)


def test_the_adjusted_sunday_before_spring_festival_is_a_working_day(publicity_running, clerk):
    resolution, first, _second = publicity_running
    # Received Sat 2024-02-03. Sun 02-04 调休 (1); 02-05..02-09 (2-6); 02-10..02-17 off; Sun 02-18
    # (7); 02-19..02-23 (8-12); 02-26..03-01 (13-17); Mon 03-04 (18), Tue 03-05 (19), Wed 03-06 (20).
    assert _received(resolution, first, clerk, dt.date(2024, 2, 3)).due_on == dt.date(2024, 3, 6)


def test_the_working_days_are_configurable(publicity_running, clerk, settings):
    resolution, first, _second = publicity_running
    settings.OBJECTION_WORKING_DAYS = 3
    # Received Wed 2023-09-27: 09-28 (1), 10-07 (2), 10-08 (3).
    assert _received(resolution, first, clerk, dt.date(2023, 9, 27)).due_on == dt.date(2023, 10, 8)
