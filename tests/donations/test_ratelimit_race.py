"""The receipt look-up limit cannot be raced: each guess is counted before it is answered, under
the client's row lock with the clock read inside it (fundportal/ratelimits.py), so twenty
simultaneous wrong codes from one address get exactly ten answers — the probe got 15 with Redis
up and 18 with it down when checking and counting were two steps, and a later run 11 when one
Redis call timed out and was counted afresh in the database. Real threads, real PostgreSQL."""
import datetime as dt
import itertools
import threading

import pytest
import time_machine
from django.db import connections
from django.test import Client, override_settings
from django.urls import reverse

from fundportal import ratelimits
from fundportal.models import RateLimitWindow
from tests.concurrency import run_concurrently
from tests.fixtures.processes import free_port
from tests.donations.helpers import record
from tests.fixtures.factories import DonorFactory

VERIFY_URL = "/receipts/verify/"
LIMIT = 10
GUESSES = 20


def _tolerant_cache(url: str) -> dict:
    return {"default": {"BACKEND": "fundportal.cache.TolerantRedisCache", "LOCATION": url,
                        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.5}}}


@pytest.fixture
def receipt(transactional_db, finance):
    return record(finance, amount="500.00", donor=DonorFactory(name="瑞安市医药行业协会")).receipts.get()


def _simultaneous_wrong_guesses(receipt, *, api: bool) -> list[int]:
    def guess(index: int) -> int:
        if api:
            return Client().post(reverse("api-receipt-verify"),
                                 {"number": receipt.number, "code": f"WRONG{index:03d}"}).status_code
        return Client().post(VERIFY_URL, {"n": receipt.number, "c": f"WRONG{index:03d}"}).status_code

    # From the start of a minute: under load the twenty requests may take seconds, and a window
    # that closed in the middle would leave this window's count short of what was counted.
    with time_machine.travel(dt.datetime(2026, 1, 5, 10, 0, 0, tzinfo=dt.timezone.utc), tick=True):
        answers = run_concurrently(guess, GUESSES)
        connections.close_all()
    return answers


@override_settings(RECEIPT_LOOKUP_RATE=f"{LIMIT}/m")
@pytest.mark.parametrize("api", [False, True], ids=["page", "api"])
def test_twenty_simultaneous_wrong_codes_get_at_most_ten_answers_with_redis_up(settings, receipt, api):
    assert settings.CACHES["default"]["BACKEND"] == "fundportal.cache.TolerantRedisCache"  # the real Redis
    answers = _simultaneous_wrong_guesses(receipt, api=api)
    assert all(answer in (404, 429) for answer in answers), answers
    assert answers.count(404) == LIMIT, answers  # never more; and the limit itself is reached
    assert RateLimitWindow.objects.get().count == LIMIT  # one count, the refused guesses not in it


@override_settings(RECEIPT_LOOKUP_RATE=f"{LIMIT}/m")
@pytest.mark.parametrize("api", [False, True], ids=["page", "api"])
def test_twenty_simultaneous_wrong_codes_get_at_most_ten_answers_with_the_cache_down(settings, receipt, api):
    settings.CACHES = _tolerant_cache(f"redis://127.0.0.1:{free_port()}/0")
    answers = _simultaneous_wrong_guesses(receipt, api=api)
    assert all(answer in (404, 429) for answer in answers), answers
    assert answers.count(404) == LIMIT, answers
    assert RateLimitWindow.objects.get().count == LIMIT  # the refused guesses are not counted


@override_settings(RECEIPT_LOOKUP_RATE=f"{LIMIT}/m")
@pytest.mark.parametrize("cache_down", [False, True], ids=["redis", "database"])
def test_right_codes_looked_up_at_once_never_count_against_the_limit(settings, receipt, cache_down):
    if cache_down:
        settings.CACHES = _tolerant_cache(f"redis://127.0.0.1:{free_port()}/0")
    answers = run_concurrently(
        lambda _i: Client().post(VERIFY_URL, {"n": receipt.number, "c": receipt.verification_code}).status_code,
        GUESSES)
    connections.close_all()
    assert answers.count(200) >= LIMIT, answers  # a burst of right codes may meet the limit, never block it
    again = Client().post(VERIFY_URL, {"n": receipt.number, "c": receipt.verification_code})
    assert again.status_code == 200  # afterwards nothing of the burst is left counted


class _SteppingClock:
    """time.time() that moves on 40 ms at every call, from 0.4 s before a minute's edge: a burst of
    twenty guesses is read on both sides of it, in the order the calls are made."""

    def __init__(self):
        start = (int(ratelimits.time.time()) // 60 + 1) * 60 - 0.4
        self._ticks = (start + 0.04 * n for n in itertools.count())
        self._lock = threading.Lock()

    def time(self) -> float:
        with self._lock:
            return next(self._ticks)


@override_settings(RECEIPT_LOOKUP_RATE=f"{LIMIT}/m")
@pytest.mark.parametrize("redis_flaps", [False, True], ids=["redis-up", "redis-times-out-mid-burst"])
def test_a_burst_across_a_windows_edge_gets_exactly_ten_answers(settings, receipt, monkeypatch, redis_flaps):
    """Twenty simultaneous wrong codes while the minute turns: each guess reads the clock under the
    row lock, so none is weighed against a window another guess has not finished counting. And the
    cache plays no part: a cache that times out mid-burst (it used to move that guess to a fresh
    count in the database) changes nothing."""
    monkeypatch.setattr(ratelimits, "time", _SteppingClock())
    if redis_flaps:
        settings.CACHES = _tolerant_cache(f"redis://127.0.0.1:{free_port()}/0")
    answers = _simultaneous_wrong_guesses(receipt, api=False)
    assert sorted(set(answers)) == [404, 429], answers
    assert answers.count(404) == LIMIT, answers
