"""The village officer's outreach work in their work queue (fundportal.workqueue): the families
of their village waiting to be contacted, how many are past their contact deadline, since when
the oldest waits. Registered when the app is ready (assistance/apps.py)."""
from django.db.models import Count, Min
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from fundportal.workqueue import QueueItem, does_the_work, register

from .models import OutreachTask
from .selectors import outreach_tasks_for_user, overdue_q


@register
def outreach_queue(user) -> list[QueueItem]:
    """One item for whoever records contacts (village officers), scoped to their village."""
    if not does_the_work(user, "assistance.record_outreachcontact") or user.region is None:
        return []
    waiting = outreach_tasks_for_user(user=user).filter(state=OutreachTask.State.OPEN).order_by()
    counts = waiting.aggregate(count=Count("id"), overdue=Count("id", filter=overdue_q()), oldest=Min("opened_at"),
                               due=Min("due_on"))
    if not counts["count"]:
        return []
    oldest = timezone.localtime(counts["oldest"]).date() if counts["oldest"] else None
    url = reverse("admin:assistance_outreachtask_changelist") + "?state__exact=open"
    return [QueueItem(key="outreach.contact", label=gettext("应助未助：待联系"), count=counts["count"], url=url,
                      overdue=counts["overdue"], oldest=oldest, due=counts["due"])]
