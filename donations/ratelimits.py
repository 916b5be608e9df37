"""Failed public receipt look-ups, counted per client address (django-ratelimit, shared cache).

Only failures count, so a donor checking one receipt many times is never blocked; after the
limit even a right code is refused, so guessing codes is pointless. The page and the API share
one counter.
"""
from django.conf import settings
from django_ratelimit.core import get_usage

GROUP = "receipt-lookup"


def _usage(request, *, increment: bool):
    return get_usage(request, group=GROUP, key="ip", rate=settings.RECEIPT_LOOKUP_RATE, increment=increment)


def lookup_blocked(request) -> bool:
    usage = _usage(request, increment=False)
    return usage is not None and usage["count"] >= usage["limit"]


def lookup_failed(request) -> None:
    _usage(request, increment=True)


def download_blocked(request) -> bool:
    """Each PDF costs a render: a verified session still gets a bounded number per minute."""
    usage = get_usage(request, group="receipt-download", key="ip", rate=settings.RECEIPT_DOWNLOAD_RATE,
                      increment=True)
    return usage is not None and usage["should_limit"]
