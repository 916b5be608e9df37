"""Time limits run in working days as China counts them: 法定节假日 are off, 调休 weekends are on."""
import datetime as dt
import logging

from fundportal import dates
from fundportal.dates import add_working_days, is_working_day


def test_national_day_holidays_are_not_working_days():
    assert [is_working_day(dt.date(2026, 10, d)) for d in range(1, 8)] == [False] * 7
    # 5 working days from the eve of 国庆: Thu 8, Fri 9, Sat 10 (调休), Mon 12, Tue 13.
    assert add_working_days(dt.date(2026, 9, 30), 5) == dt.date(2026, 10, 13)


def test_a_weekend_day_that_replaces_a_holiday_is_a_working_day():
    saturday = dt.date(2026, 2, 14)  # worked before 春节 2026
    assert saturday.weekday() == 5 and is_working_day(saturday)
    assert add_working_days(dt.date(2026, 2, 13), 1) == saturday


def test_spring_festival_holidays_push_a_deadline_past_them():
    # 春节 2026 is off from 2-15 to 2-23; the 28th (Saturday) is worked.
    assert add_working_days(dt.date(2026, 2, 14), 1) == dt.date(2026, 2, 24)
    assert add_working_days(dt.date(2026, 2, 26), 2) == dt.date(2026, 2, 28)


def test_ordinary_weeks_skip_the_weekend():
    friday = dt.date(2026, 11, 27)
    assert add_working_days(friday, 1) == dt.date(2026, 11, 30)
    assert add_working_days(friday, 10) == dt.date(2026, 12, 11)


def test_a_year_the_calendar_does_not_know_counts_weekends_and_says_so_once(caplog, monkeypatch):
    monkeypatch.setattr(dates, "_years_warned", set())
    friday = dt.date(2099, 1, 2)
    with caplog.at_level(logging.WARNING, logger="fundportal.dates"):
        assert add_working_days(friday, 1) == dt.date(2099, 1, 5)
        assert add_working_days(friday, 3) == dt.date(2099, 1, 7)
    warnings = [r for r in caplog.records if "2099" in r.getMessage()]
    assert len(warnings) == 1
