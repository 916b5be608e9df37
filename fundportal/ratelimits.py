"""Per-client limits on public forms (a receipt look-up, a PDF download, an objection), counted over
a sliding window.

The count lives in one place, the database, one row per client and limit, and each request is
counted under that row's lock with the clock read inside the lock: so simultaneous requests each
get their own number, and a burst across a window's edge is weighed whole. It once lived in Redis
with the database as a stand-in during outages; a call that timed out under load was then counted
afresh in the database and one guess too many got through. One store cannot split a count.

A sliding window: this window's count plus the last one's, weighted by how much of it still lies
within a period from now. Refused requests are not counted (a client that keeps knocking is not
locked out for longer); `Attempt.refund()` takes back one that should not count (a right code).
"""
import datetime as dt
import hashlib
import ipaddress
import time
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Case, F, PositiveIntegerField, When
from django.utils import timezone

from .models import RateLimitWindow

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def rate_parse(rate: str) -> tuple[int, int]:
    """"10/m" → (10, 60)."""
    count, period = rate.split("/")
    return int(count), _PERIODS[period.strip().lower()[0]]


def client_of(request) -> str:
    """REMOTE_ADDR is the client: nginx's X-Real-IP becomes it (deploy/wsgi.py), never a header the
    client sends. An IPv6 client holds a whole /64, so that is one client."""
    remote = request.META.get("REMOTE_ADDR") or ""
    try:
        address = ipaddress.ip_address(remote)
    except ValueError:  # a Unix socket with no address: all such requests are one client
        return remote or "unknown"
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False).network_address)
    return str(address)


@dataclass(frozen=True)
class Attempt:
    """A request counted in `window`; `refund()` takes it back."""

    key: str
    window: int

    def refund(self) -> None:
        """One statement: the count of the attempt's window less one, wherever that window now is."""
        counts = PositiveIntegerField()
        RateLimitWindow.objects.filter(key=self.key).update(
            count=Case(When(window=self.window, count__gt=0, then=F("count") - 1), default=F("count"),
                       output_field=counts),
            previous=Case(When(window=self.window + 1, previous__gt=0, then=F("previous") - 1),
                          default=F("previous"), output_field=counts))


def take(request, *, group: str, rate: str) -> Attempt | None:
    """Count one request of this client against `rate` ("10/m"). None: over the limit (not counted)."""
    limit, period = rate_parse(rate)
    key = hashlib.sha256(f"{group}:{client_of(request)}:{period}".encode()).hexdigest()
    with transaction.atomic():
        row = _row_locked(key, period)
        window, elapsed = divmod(time.time(), period)  # read under the lock: the lock's order is the clock's
        window = max(int(window), row.window)  # another server's clock a little ahead
        if row.window == window:
            current, previous = row.count, row.previous
        elif row.window == window - 1:
            current, previous = 0, row.count
        else:
            current, previous = 0, 0
        if current + 1 + previous * (1 - elapsed / period) > limit:
            allowed = False
        else:
            allowed, current = True, current + 1
        RateLimitWindow.objects.filter(pk=row.pk).update(window=window, count=current, previous=previous)
    return Attempt(key, window) if allowed else None


def _row_locked(key: str, period: int) -> RateLimitWindow:
    """The client's row, made if new, locked until the transaction ends. The upsert itself takes the
    lock (PostgreSQL's row lock; SQLite's write lock), so there is no moment between read and write."""
    expires_at = timezone.now() + dt.timedelta(seconds=2 * period + 5)  # the next window still weighs it
    RateLimitWindow.objects.bulk_create(
        [RateLimitWindow(key=key, window=0, expires_at=expires_at)],
        update_conflicts=True, unique_fields=["key"], update_fields=["expires_at"])
    return RateLimitWindow.objects.select_for_update().get(key=key)


def ratelimit_sweep() -> int:
    """Delete the rows no window weighs any more (the beat, hourly). Returns how many."""
    deleted, _ = RateLimitWindow.objects.filter(expires_at__lte=timezone.now()).delete()
    return deleted
