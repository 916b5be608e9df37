"""The public receipt look-up's limits (fundportal/ratelimits.py counts them).

Only failed look-ups count, so a donor checking one receipt many times is never blocked; after the
limit even a right code is refused, so guessing codes is pointless. The page and the API share one
count. Each look-up is counted before it is made and refunded if its code was right: counting and
deciding are one atomic step, so simultaneous guesses cannot all slip under the limit.
"""
from django.conf import settings

from fundportal.ratelimits import Attempt, take

GROUP = "receipt-lookup"


def lookup_begin(request) -> Attempt | None:
    """Count a public receipt look-up before it is made. None: over the limit (answer 429). Otherwise
    the look-up may go ahead; call `refund()` on the attempt if its code was right."""
    return take(request, group=GROUP, rate=settings.RECEIPT_LOOKUP_RATE)


def download_blocked(request) -> bool:
    """Each PDF costs a render: a verified session still gets a bounded number per minute."""
    return take(request, group="receipt-download", rate=settings.RECEIPT_DOWNLOAD_RATE) is None
