"""The progress look-up, shared by the page and the API: one count per client (group
"progress-lookup", PROGRESS_LOOKUP_RATE), through the one mechanism every public look-up uses
(fundportal.lookups)."""
from django.conf import settings

from fundportal.lookups import Lookup, lookup

from ..applications.models import Application
from .selectors import application_find_for_public

GROUP = "progress-lookup"
SESSION_KEY = "verified_applications"  # numbers this browser proved it holds the code of


def progress_find(request, *, number: str, code: str) -> Lookup[Application]:
    return lookup(request, group=GROUP, rate=settings.PROGRESS_LOOKUP_RATE,
                  find=lambda: application_find_for_public(number=number, code=code))
