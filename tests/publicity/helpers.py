"""Small helpers of the 公示 and objection tests."""
import datetime as dt

from django.utils import timezone

from assistance.models import PublicityEntry


def yesterday() -> dt.date:
    return timezone.localdate() - dt.timedelta(days=1)


def entry_of(application) -> PublicityEntry:
    """The application's line on its resolution's 公示."""
    return PublicityEntry.objects.select_related("publicity").get(item__application=application)
