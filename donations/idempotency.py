"""Money is recorded once: a submission key (form) or Idempotency-Key header (API) sent twice by
one user with the same fields returns the first donation; with other fields it is refused (422)."""
import datetime as dt
import hashlib
import json
import uuid
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, models

from fundportal.money import to_money

from .models import Donation


class IdempotencyConflict(ValidationError):
    """An idempotency key this user already sent with other fields (IETF draft
    "The Idempotency-Key HTTP Header Field": a reuse with a different payload is refused, 422)."""


def request_fingerprint(**fields) -> str:
    """A hash of what a recording asks for, normalised (500 and 500.00 are the same amount)."""
    def canonical(value):
        if isinstance(value, models.Model):
            return value.pk
        if isinstance(value, Decimal):
            return str(to_money(value))
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, str):
            return value.strip()
        return value

    text = json.dumps({name: canonical(value) for name, value in sorted(fields.items())}, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def lock_submission(*, acting_user, idempotency_key: uuid.UUID) -> None:
    """Concurrent requests with one key queue here until the first has committed, so each then
    finds its donation (instead of tripping over the bank reference or the key's constraint).
    SQLite's IMMEDIATE transactions already run one writer at a time."""
    if connection.vendor != "postgresql":
        return
    digest = hashlib.blake2b(f"donation:{acting_user.pk}:{idempotency_key}".encode(), digest_size=8).digest()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [int.from_bytes(digest, "big", signed=True)])


def replay(*, existing: Donation, fingerprint: str) -> Donation:
    # Rows recorded before fingerprints were kept have none: they answer as before.
    if existing.request_fingerprint and existing.request_fingerprint != fingerprint:
        raise IdempotencyConflict(
            "该提交标识（Idempotency-Key）已用于登记另一笔内容不同的捐赠（%(donation)s）；"
            "重试请原样提交，新的捐赠请使用新的提交标识",
            code="idempotency_conflict", params={"donation": existing},
        )
    existing.replayed = True
    return existing
