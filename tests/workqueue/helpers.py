"""Reading a work queue the way its user meets it: the items queue_for gives them, and the rows the
page behind an item's link shows them (the admin list's filtered rows, or the clerk's workspace)."""
import datetime as dt

from django.test import Client
from django.utils import timezone

from fundportal.workqueue import QueueItem, queue_for

TODAY = timezone.localdate


def days_ago(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)


def items_of(user) -> dict[str, QueueItem]:
    """The user's queue by key (each kind once)."""
    items = queue_for(user)
    assert len({item.key for item in items}) == len(items)
    return {item.key: item for item in items}


def shown(user, url: str) -> set[int]:
    """The rows the page at `url` lists to `user`: every row its filters keep, not only page one."""
    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    messages = [str(message) for message in response.context.get("messages", [])]
    assert not any("无效" in message for message in messages), messages  # the filter value was understood
    if "cl" in response.context:
        return set(response.context["cl"].queryset.values_list("pk", flat=True))
    return {row["application"].pk for row in response.context["rows"]}
