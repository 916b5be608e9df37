"""The village officer's work queue shows the families waiting to be contacted — how many, how
many past their contact deadline, since when the oldest waits — linking to the filtered list;
nobody else gets the item, and another village's officer never counts this village's families."""
import datetime as dt

import pytest
from django.utils import timezone

from assistance.models import OutreachTask
from assistance.outreach.queue import outreach_queue
from fundportal.workqueue import queue_for

from .helpers import contact

pytestmark = pytest.mark.django_db


def test_the_village_officer_sees_the_families_waiting_with_the_overdue_marked(client, tasks, cab_village):
    OutreachTask.objects.filter(pk=tasks[1].pk).update(due_on=timezone.localdate() - dt.timedelta(days=2))
    [item] = outreach_queue(cab_village)
    assert (item.key, item.label, item.count, item.overdue) == ("outreach.contact", "应助未助：待联系", 2, 1)
    assert item.oldest == timezone.localdate() and item.due == timezone.localdate() - dt.timedelta(days=2)
    assert item in queue_for(cab_village)  # registered when the app is ready
    client.force_login(cab_village)
    listed = client.get(item.url)
    assert listed.status_code == 200
    assert {task.pk for task in listed.context["cl"].result_list} == {tasks[0].pk, tasks[1].pk}


def test_the_item_is_one_query_however_many_tasks_wait(tasks, cab_village, django_assert_num_queries):
    outreach_queue(cab_village)  # the officer's permissions, read once per request
    with django_assert_num_queries(1):
        outreach_queue(cab_village)


def test_closed_tasks_leave_the_queue(tasks, cab_village):
    contact(tasks[0], cab_village, result="declined", reason="不愿申请")
    contact(tasks[1], cab_village, result="moved", reason="已迁出")
    assert outreach_queue(cab_village) == []


def test_another_villages_officer_counts_only_their_own(tasks, other_village):
    [item] = outreach_queue(other_village)
    assert item.count == 1  # 沙渎村's one family, not 韩田村's two


@pytest.mark.parametrize("persona", ["cab_town", "cab_city", "clerk", "msb", "auditor"])
def test_nobody_else_gets_the_item(request, tasks, persona):
    assert outreach_queue(request.getfixturevalue(persona)) == []
