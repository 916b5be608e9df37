"""The disclosure calendar on finance's work queue (fundportal/workqueue.py): the annual reports and
major fund movements not yet made public that are overdue or due within DISCLOSURE_REMIND_DAYS
days. One item, linked to the calendar page; its overdue count puts it in finance's daily digest
(fundportal/digest.py) like every overdue item. Pledge instalments are the pledges' own kind
(donations/queue.py) and are not counted here again."""
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from fundportal.workqueue import QueueItem, does_the_work

from .selectors import calendar_due_soon

KEY = "disclosure.calendar"
PERMISSION = "disclosure.publish_statement"


def calendar_queue(user) -> list[QueueItem]:
    if not does_the_work(user, PERMISSION):
        return []
    items = calendar_due_soon(today=timezone.localdate())
    if not items:
        return []
    url = reverse("admin:disclosure_calendar")
    overdue = sum(1 for item in items if item.overdue)
    return [QueueItem(key=KEY, label=gettext("信息公开：年度报告、重大事项待公开"), count=len(items), url=url,
                      overdue=overdue, oldest=min(item.event_on or item.due_on for item in items),
                      due=min(item.due_on for item in items), overdue_url=f"{url}?show=overdue" if overdue else "")]
