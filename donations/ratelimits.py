"""The public receipt look-up's limits (fundportal/ratelimits.py counts them).

Only failed look-ups count, so a donor checking one receipt many times is never blocked; after the
limit even a right code is refused, so guessing codes is pointless. The page and the API share one
count. Each look-up is counted before it is made and refunded if its code was right: counting and
deciding are one atomic step, so simultaneous guesses cannot all slip under the limit.
"""
from django.conf import settings

from fundportal.lookups import Lookup, lookup
from fundportal.ratelimits import take

from .selectors import receipt_find_for_public

GROUP = "receipt-lookup"


def receipt_lookup(request, *, number: str, code: str) -> Lookup:
    """The page's and the API's look-up, through the one mechanism of every public look-up
    (fundportal.lookups): counted, refunded when the code was right."""
    return lookup(request, group=GROUP, rate=settings.RECEIPT_LOOKUP_RATE,
                  find=lambda: receipt_find_for_public(number=number, code=code))


def download_blocked(request) -> bool:
    """Each PDF costs a render: a verified session still gets a bounded number per minute."""
    return take(request, group="receipt-download", rate=settings.RECEIPT_DOWNLOAD_RATE) is None
