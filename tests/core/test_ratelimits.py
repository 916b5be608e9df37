"""The shared per-client limit (fundportal/ratelimits.py) below the pages that use it: the window
arithmetic, the refund after the minute turned, what a row keeps, and the hourly sweep."""
import datetime as dt

import pytest
from django.test import RequestFactory
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from fundportal import ratelimits
from fundportal.defaults import RATELIMIT_SWEEP_TASK
from fundportal.models import RateLimitWindow
from fundportal.tasks import ratelimit_sweep_task
from tests.fixtures.factories import RateLimitWindowFactory

pytestmark = pytest.mark.django_db


class _Clock:
    def __init__(self, now: float):
        self.now = now

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    fixed = _Clock(600_000 * 60.0)  # a minute's edge
    monkeypatch.setattr(ratelimits, "time", fixed)
    return fixed


def _request(address: str = "203.0.113.7"):
    return RequestFactory().post("/", REMOTE_ADDR=address)


def _take(n: int, address: str = "203.0.113.7") -> list[bool]:
    return [ratelimits.take(_request(address), group="test", rate="3/m") is not None for _ in range(n)]


def test_the_limit_then_refusals_that_are_not_counted(clock):
    assert _take(5) == [True, True, True, False, False]
    assert RateLimitWindow.objects.get().count == 3


def test_the_last_window_weighs_by_how_much_of_it_is_still_within_a_period(clock):
    assert _take(3) == [True] * 3
    clock.now += 60  # the next window's start: the last one weighs whole
    assert _take(1) == [False]
    clock.now += 20  # a third of the way in: 3 × 2/3 = 2 still weigh
    assert _take(2) == [True, False]
    clock.now += 60 * 2  # two windows on: nothing weighs
    assert _take(4) == [True, True, True, False]


def test_a_refund_after_the_minute_turned_comes_off_the_window_it_was_counted_in(clock):
    attempts = [ratelimits.take(_request(), group="test", rate="3/m") for _ in range(3)]
    clock.now += 60
    assert _take(1) == [False]  # the row moved on: its three are now the last window's
    attempts[0].refund()
    row = RateLimitWindow.objects.get()
    assert (row.count, row.previous) == (0, 2)
    assert _take(2) == [True, False]  # 1 + 2 weighed whole = 3


def test_a_refund_never_goes_below_zero(clock):
    attempt = ratelimits.take(_request(), group="test", rate="3/m")
    attempt.refund()
    attempt.refund()
    assert RateLimitWindow.objects.get().count == 0


def test_each_address_has_its_own_count_and_an_ipv6_client_is_its_64(clock):
    assert _take(4, "203.0.113.7") == [True, True, True, False]
    assert _take(1, "203.0.113.8") == [True]
    assert _take(3, "2001:db8::1") == [True] * 3
    assert _take(1, "2001:db8::ffff:1") == [False]  # the same /64


def test_no_address_is_stored(clock):
    _take(1, "203.0.113.7")
    row = RateLimitWindow.objects.get()
    assert "203.0.113" not in row.key and len(row.key) == 64


def test_the_hourly_sweep_deletes_only_windows_nobody_weighs():
    RateLimitWindowFactory(expires_at=timezone.now() - dt.timedelta(seconds=1))
    live = RateLimitWindowFactory()
    assert ratelimit_sweep_task() == 1
    assert list(RateLimitWindow.objects.all()) == [live]
    assert PeriodicTask.objects.get(task=RATELIMIT_SWEEP_TASK).interval.every == 1
