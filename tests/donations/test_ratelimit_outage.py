"""The receipt look-up limit holds with Redis down: it is counted in the database
(fundportal/ratelimits.py), never in the tolerant cache whose silence would read as "allowed". Real processes: a private
redis-server that the test stops, and a cache pointing at a port where nothing listens."""
import datetime as dt

import pytest
import time_machine
from django.test import override_settings
from django.urls import reverse

from fundportal.models import RateLimitWindow
from tests.fixtures.processes import free_port
from tests.donations.helpers import record
from tests.fixtures.factories import DonorFactory

pytestmark = pytest.mark.django_db
VERIFY_URL = "/receipts/verify/"


@pytest.fixture(autouse=True)
def minute_start():
    """Each test from the start of a minute: sixty requests under load take seconds, and a minute that
    turned among them moves the count into the last window (CI once read a count of 0 there)."""
    with time_machine.travel(dt.datetime(2026, 1, 5, 10, 0, 0, tzinfo=dt.timezone.utc), tick=True):
        yield


def _tolerant_cache(url: str) -> dict:
    return {"default": {"BACKEND": "fundportal.cache.TolerantRedisCache", "LOCATION": url,
                        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.5}}}


@pytest.fixture
def receipt(finance):
    return record(finance, amount="84500.00", donor=DonorFactory(name="瑞安市医药行业协会")).receipts.get()


def _guesses(client, receipt, count: int, *, api: bool = False) -> list[int]:
    if api:
        return [client.post(reverse("api-receipt-verify"), {"number": receipt.number, "code": f"WRONG{n:03d}"}
                            ).status_code for n in range(count)]
    return [client.post(VERIFY_URL, {"n": receipt.number, "c": f"WRONG{n:03d}"}).status_code for n in range(count)]


@override_settings(RECEIPT_LOOKUP_RATE="10/m")
def test_wrong_guesses_are_still_limited_after_redis_stops(client, settings, redis, receipt):
    settings.CACHES = _tolerant_cache(f"{redis.url}/0")
    assert _guesses(client, receipt, 4) == [404] * 4
    redis.stop()

    answers = _guesses(client, receipt, 60)

    assert 429 in answers, answers
    first_refusal = answers.index(429)
    assert first_refusal <= 10 and set(answers[first_refusal:]) == {429}
    blocked = client.post(VERIFY_URL, {"n": receipt.number, "c": receipt.verification_code})
    assert blocked.status_code == 429 and "尝试次数过多" in blocked.content.decode()  # even the right code


@override_settings(RECEIPT_LOOKUP_RATE="10/m")
@pytest.mark.parametrize("api", [False, True], ids=["page", "api"])
def test_with_the_cache_on_a_closed_port_sixty_guesses_meet_a_429(client, settings, receipt, api):
    settings.CACHES = _tolerant_cache(f"redis://127.0.0.1:{free_port()}/0")
    answers = _guesses(client, receipt, 60, api=api)
    assert answers[:10] == [404] * 10 and set(answers[10:]) == {429}
    assert RateLimitWindow.objects.get().count == 10  # counted in the database


@override_settings(RECEIPT_LOOKUP_RATE="10/m")
def test_with_the_cache_down_a_donor_checking_a_right_code_is_not_blocked(client, settings, receipt):
    settings.CACHES = _tolerant_cache(f"redis://127.0.0.1:{free_port()}/0")
    for _ in range(15):
        assert client.post(VERIFY_URL, {"n": receipt.number, "c": receipt.verification_code}).status_code == 200


@override_settings(RECEIPT_DOWNLOAD_RATE="2/m")
def test_with_the_cache_down_pdf_downloads_stay_limited(client, settings, receipt):
    settings.CACHES = _tolerant_cache(f"redis://127.0.0.1:{free_port()}/0")
    client.post(VERIFY_URL, {"n": receipt.number, "c": receipt.verification_code})
    url = reverse("donations:receipt_pdf") + f"?n={receipt.number}"
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 403]


@override_settings(RECEIPT_LOOKUP_RATE="10/m")
def test_another_address_has_its_own_count_during_the_outage(client, settings, receipt):
    settings.CACHES = _tolerant_cache(f"redis://127.0.0.1:{free_port()}/0")
    assert _guesses(client, receipt, 11)[-1] == 429
    other = client.post(VERIFY_URL, {"n": receipt.number, "c": receipt.verification_code}, REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 200
