"""The village officer's follow-up work in their work queue (fundportal/workqueue.py): the assisted
families of their village flagged for follow-up and not yet recorded — how many, how many past
their deadline, since when the oldest waits. Counted over follow_ups_for_user, the same rows (and
area) as the officer's list, in one query; the list's "我的待办" filter shows them. Registered in
assistance/apps.py (work_queue_register)."""
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fundportal.workqueue import Kind, Queue

from .models import FollowUp
from .selectors import follow_ups_for_user

FOLLOWUP_QUEUE = Queue(
    rows=lambda user: follow_ups_for_user(user=user),
    kinds=(
        Kind("followup.record", _("防止返贫监测：待跟进"), "assistance.record_followup",
             lambda user: Q(state=FollowUp.State.OPEN)),
    ),
    since="opened_at", due="due_on", list_url="admin:assistance_followup_changelist")
