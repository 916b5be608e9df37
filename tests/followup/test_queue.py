"""The village officer's work queue shows the assisted families waiting for follow-up — how many,
how many past their deadline, since when the oldest waits — linking to the list showing the same
rows; nobody else gets the item, and another village's officer never counts this village's."""
import datetime as dt

import pytest
from django.utils import timezone

from assistance.followup.queue import FOLLOWUP_QUEUE
from assistance.followup.services import followup_record
from assistance.models import FollowUp
from fundportal.workqueue import queue_for

pytestmark = pytest.mark.django_db


def test_the_village_officer_sees_the_families_waiting_with_the_overdue_marked(client, follow_ups, cab_village):
    FollowUp.objects.filter(pk=follow_ups[1].pk).update(due_on=timezone.localdate() - dt.timedelta(days=2))
    [item] = FOLLOWUP_QUEUE.items(cab_village)
    assert (item.key, item.label, item.count, item.overdue) == ("followup.record", "防止返贫监测：待跟进", 2, 1)
    assert item.oldest == timezone.localdate() and item.due == timezone.localdate() - dt.timedelta(days=2)
    assert item in queue_for(cab_village)  # registered when the app is ready
    client.force_login(cab_village)
    listed = client.get(item.url)
    assert listed.status_code == 200
    assert {f.pk for f in listed.context["cl"].result_list} == {follow_ups[0].pk, follow_ups[1].pk}
    overdue = client.get(item.overdue_url)
    assert {f.pk for f in overdue.context["cl"].result_list} == {follow_ups[1].pk}
    page = client.get("/admin/queue/")
    assert "防止返贫监测：待跟进" in page.content.decode()


def test_the_item_is_one_query_however_many_wait(follow_ups, cab_village, django_assert_num_queries):
    FOLLOWUP_QUEUE.items(cab_village)  # the officer's permissions, read once per request
    with django_assert_num_queries(1):
        FOLLOWUP_QUEUE.items(cab_village)


def test_recorded_follow_ups_leave_the_queue(follow_ups, cab_village):
    followup_record(follow_up=follow_ups[0], acting_user=cab_village, outcome="no_risk", notes="无风险")
    [item] = FOLLOWUP_QUEUE.items(cab_village)
    assert item.count == 1
    followup_record(follow_up=follow_ups[1], acting_user=cab_village, outcome="moved", notes="已迁出")
    assert [i for i in queue_for(cab_village) if i.key == "followup.record"] == []


def test_another_villages_officer_counts_only_their_own(follow_ups, other_village):
    [item] = FOLLOWUP_QUEUE.items(other_village)
    assert item.count == 1  # 沙渎村's one family, not 韩田村's two


@pytest.mark.parametrize("persona", ["cab_town", "cab_city", "clerk", "msb", "auditor", "administrator"])
def test_nobody_else_gets_the_item(request, follow_ups, persona):
    assert FOLLOWUP_QUEUE.items(request.getfixturevalue(persona)) == []
