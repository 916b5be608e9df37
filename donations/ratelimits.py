"""Failed public receipt look-ups, counted per client address over a sliding minute.

Only failures count, so a donor checking one receipt many times is never blocked; after the
limit even a right code is refused, so guessing codes is pointless. The page and the API share
one counter.

The counters live in the shared cache (Redis). The site's cache forgives an outage by answering
as if nothing were stored, which for a counter means "1" forever — the limit would switch off
exactly when nobody watches. So the counters are read strictly, and while Redis is down they are
kept in the database instead (RateLimitCounter): slower, still a limit.
"""
import datetime as dt
import hashlib
import ipaddress
import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from fundportal.cache import CacheDown, strictly

from .models import RateLimitCounter

GROUP = "receipt-lookup"
_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def _rate(rate: str) -> tuple[int, int]:
    """"10/m" → (10, 60)."""
    count, period = rate.split("/")
    return int(count), _PERIODS[period.strip().lower()[0]]


def _client(request) -> str:
    # REMOTE_ADDR is the client: nginx's X-Real-IP becomes it (deploy/wsgi.py), never a header the
    # client sends. An IPv6 client holds a whole /64, so that is one client.
    remote = request.META.get("REMOTE_ADDR") or ""
    try:
        address = ipaddress.ip_address(remote)
    except ValueError:  # a Unix socket with no address: all such requests are one client
        return remote or "unknown"
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False).network_address)
    return str(address)


def _count(request, *, group: str, rate: str, increment: bool) -> tuple[float, int]:
    """(requests counted over the last period, limit). A sliding window: this window's count plus
    the last one's, weighted by how much of it still lies within a period from now — so a burst
    across a window's edge counts whole, and a test of three calls never straddles two counts."""
    limit, period = _rate(rate)
    window, elapsed = divmod(time.time(), period)
    client = _client(request)

    def key(number: int) -> str:
        return "rl:" + hashlib.sha256(f"{group}:{client}:{period}:{number}".encode()).hexdigest()

    current_key, previous_key = key(int(window)), key(int(window) - 1)
    try:
        current = _cache_count(current_key, period, increment)
        previous = _cache_count(previous_key, period, False)
    except CacheDown:
        current = _database_count(current_key, period, increment)
        previous = _database_count(previous_key, period, False)
    return current + previous * (1 - elapsed / period), limit


def _cache_count(key: str, period: int, increment: bool) -> int:
    shared = strictly(cache)
    if not increment:
        return shared.get(key, 0)
    shared.add(key, 0, 2 * period + 5)  # kept through the next window, which weighs it
    try:
        return shared.incr(key)
    except ValueError:  # expired between add and incr
        shared.set(key, 1, 2 * period + 5)
        return 1


def _database_count(key: str, period: int, increment: bool) -> int:
    now = timezone.now()
    live = RateLimitCounter.objects.filter(key=key, expires_at__gt=now)
    if not increment:
        return live.values_list("count", flat=True).first() or 0
    with transaction.atomic():
        RateLimitCounter.objects.filter(expires_at__lte=now).delete()  # windows no longer weighed
        RateLimitCounter.objects.get_or_create(key=key,
                                               defaults={"expires_at": now + dt.timedelta(seconds=2 * period + 5)})
        live.update(count=F("count") + 1)
        return live.values_list("count", flat=True).get()


def lookup_blocked(request) -> bool:
    count, limit = _count(request, group=GROUP, rate=settings.RECEIPT_LOOKUP_RATE, increment=False)
    return count >= limit


def lookup_failed(request) -> None:
    _count(request, group=GROUP, rate=settings.RECEIPT_LOOKUP_RATE, increment=True)


def download_blocked(request) -> bool:
    """Each PDF costs a render: a verified session still gets a bounded number per minute."""
    count, limit = _count(request, group="receipt-download", rate=settings.RECEIPT_DOWNLOAD_RATE, increment=True)
    return count > limit
