"""The objection look-up, shared by the page and the API: one count per client (group
"objection-lookup", PROGRESS_LOOKUP_RATE), through the one mechanism every public look-up uses
(fundportal.lookups)."""
from django.conf import settings

from fundportal.lookups import Lookup, lookup

from .models import Objection
from .public_selectors import objection_find_for_public

GROUP = "objection-lookup"


def objection_lookup(request, *, number: str, code: str) -> Lookup[Objection]:
    return lookup(request, group=GROUP, rate=settings.PROGRESS_LOOKUP_RATE,
                  find=lambda: objection_find_for_public(number=number, code=code))
