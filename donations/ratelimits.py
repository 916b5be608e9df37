"""Failed public receipt look-ups, counted per client address over a sliding minute.

Only failures count, so a donor checking one receipt many times is never blocked; after the
limit even a right code is refused, so guessing codes is pointless. The page and the API share
one counter. Each look-up is counted before it is made and refunded if its code was right
(`lookup_begin`): counting and deciding are one atomic step, so simultaneous guesses cannot all
slip under the limit.

The counters live in the shared cache (Redis). The site's cache forgives an outage by answering
as if nothing were stored, which for a counter means "1" forever — the limit would switch off
exactly when nobody watches. So the counters are read strictly, and while Redis is down they are
kept in the database instead (RateLimitCounter): slower, still a limit.
"""
import datetime as dt
import hashlib
import ipaddress
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
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


@dataclass
class Attempt:
    """A look-up counted before it is made; `refund()` takes it back (a right code never counts)."""

    key: str
    in_database: bool

    def refund(self) -> None:
        if self.in_database:
            RateLimitCounter.objects.filter(key=self.key, count__gt=0).update(count=F("count") - 1)
            return
        try:
            strictly(cache).decr(self.key)
        except (CacheDown, ValueError):  # Redis went down, or the window expired: nothing to take back
            pass


def _take(request, *, group: str, rate: str) -> tuple[Attempt, bool]:
    """Count one more request and say whether it is within the limit, in one atomic step: Redis's
    INCR, or the database's INSERT … ON CONFLICT DO UPDATE … RETURNING while Redis is down. A
    separate check and count let 20 simultaneous guesses through a limit of 10 (each checked
    before any was counted); now each guess gets its own number, and only numbers within the
    limit are answered.

    A sliding window: this window's count plus the last one's, weighted by how much of it still
    lies within a period from now — so a burst across a window's edge counts whole."""
    limit, period = _rate(rate)
    window, elapsed = divmod(time.time(), period)
    client = _client(request)

    def key(number: int) -> str:
        return "rl:" + hashlib.sha256(f"{group}:{client}:{period}:{number}".encode()).hexdigest()

    current_key, previous_key = key(int(window)), key(int(window) - 1)
    try:
        current, previous = _cache_incr(current_key, period), _cache_get(previous_key)
        attempt = Attempt(current_key, in_database=False)
    except CacheDown:
        current, previous = _database_incr(current_key, period), _database_get(previous_key)
        attempt = Attempt(current_key, in_database=True)
    return attempt, current + previous * (1 - elapsed / period) <= limit


def _cache_get(key: str) -> int:
    return strictly(cache).get(key, 0)


def _cache_incr(key: str, period: int) -> int:
    shared = strictly(cache)
    shared.add(key, 0, 2 * period + 5)  # kept through the next window, which weighs it
    try:
        return shared.incr(key)
    except ValueError:  # expired between add and incr
        shared.add(key, 0, 2 * period + 5)
        return shared.incr(key)


def _database_get(key: str) -> int:
    live = RateLimitCounter.objects.filter(key=key, expires_at__gt=timezone.now())
    return live.values_list("count", flat=True).first() or 0


def _database_incr(key: str, period: int) -> int:
    """One statement: the row made or counted up (started again if expired), its new count returned."""
    now = timezone.now()
    table = connection.ops.quote_name(RateLimitCounter._meta.db_table)
    with transaction.atomic():
        RateLimitCounter.objects.filter(expires_at__lte=now).delete()  # windows no longer weighed
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (key, count, expires_at) VALUES (%s, 1, %s) "
                f"ON CONFLICT (key) DO UPDATE SET "
                f"count = CASE WHEN {table}.expires_at <= %s THEN 1 ELSE {table}.count + 1 END, "
                f"expires_at = CASE WHEN {table}.expires_at <= %s THEN EXCLUDED.expires_at "
                f"ELSE {table}.expires_at END "
                f"RETURNING count",
                [key, now + dt.timedelta(seconds=2 * period + 5), now, now])
            return cursor.fetchone()[0]


def lookup_begin(request) -> Attempt | None:
    """Count a public receipt look-up before it is made. None: over the limit (answer 429; the
    refused request is not counted). Otherwise the look-up may go ahead; call `refund()` on the
    attempt if its code was right, so only failures count."""
    attempt, allowed = _take(request, group=GROUP, rate=settings.RECEIPT_LOOKUP_RATE)
    if not allowed:
        attempt.refund()
        return None
    return attempt


def download_blocked(request) -> bool:
    """Each PDF costs a render: a verified session still gets a bounded number per minute."""
    _attempt, allowed = _take(request, group="receipt-download", rate=settings.RECEIPT_DOWNLOAD_RATE)
    return not allowed
