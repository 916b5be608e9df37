"""Public look-ups by a number and the code printed beside it (a receipt, a family's application,
an objection): one way to count, compare and remember them, so every such page and API keeps the
same promises.

- Only failures count (fundportal/ratelimits.py): each look-up is counted before it is made and
  refunded when its code was right, so a family checking its case every day is never blocked,
  while past the limit even a right code is refused and guessing is pointless.
- A wrong code and a missing number get the same answer and cost the same time.
- A verified number is remembered in the session, so the pages that follow (a download, a form)
  need not carry the code again.
- The link printed on paper is absolute and in the default language, whoever printed it, and its
  QR code an image the page carries itself (a data: URI: the CSP allows no other source).
"""
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from .ratelimits import take
from .text import clean_code

T = TypeVar("T")


def code_matches(expected: str | None, given: str) -> bool:
    """Does `given` (as typed: spaces, lower case) match the stored code? `expected` is None when
    the number does not exist: a dummy of the same length is compared then, so a missing number
    costs what a wrong code costs. An empty stored code never matches."""
    given = clean_code(given or "")
    dummy = "-" * max(len(given), 1)
    same = hmac.compare_digest((expected or dummy).encode(), given.encode())
    return same and bool(expected) and bool(given)


@dataclass(frozen=True)
class Lookup(Generic[T]):
    """What a look-up found (None: nothing, or refused); `status` is the HTTP status to answer."""

    found: T | None = None
    blocked: bool = False

    @property
    def not_found(self) -> bool:
        return not self.blocked and self.found is None

    @property
    def status(self) -> int:
        return 429 if self.blocked else 404 if self.found is None else 200


def lookup(request, *, group: str, rate: str, find: Callable[[], T | None]) -> Lookup[T]:
    """Count the look-up against `rate` for this client, then `find()` (None for a wrong code and
    a missing number alike); a find refunds the count."""
    attempt = take(request, group=group, rate=rate)
    if attempt is None:
        return Lookup(blocked=True)
    found = find()
    if found is None:
        return Lookup()
    attempt.refund()  # a right code does not count
    return Lookup(found=found)


def verified_remember(request, *, key: str, number: str) -> None:
    """This browser proved it holds `number`'s code."""
    verified = set(request.session.get(key, []))
    request.session[key] = sorted(verified | {number})


def verified_has(request, *, key: str, number: str) -> bool:
    return bool(number) and number in request.session.get(key, [])


def public_link(url_name: str, *args, **params: str) -> str:
    """The absolute link to print on paper (a slip, a receipt, a notice's QR code): paper outlives
    sessions, so always the unprefixed default-language URL, whichever language the person printing
    uses."""
    with translation.override(settings.LANGUAGE_CODE):
        path = reverse(url_name, args=args)
    return settings.SITE_URL + path + ("?" + urlencode(params) if params else "")
