"""What waits for the council's secretary (fundportal/workqueue.py): resolutions the meeting has
held and the secretary has not signed yet (a draft on a meeting still to come is not due), except
one listing an application the secretary entered (resolution_sign refuses them: nobody enters and
approves the same case). Applications ready for costing are counted by the applications stage
(assistance/applications/queue.py), on their own list. One query."""
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fundportal.workqueue import Kind, Queue

from .models import Resolution


def _adopted_unsigned(user) -> Q:
    entered_by_user = Resolution.objects.filter(items__application__entered_by=user).values("pk")
    return Q(signed_at__isnull=True, meeting__held_on__lte=timezone.localdate()) & ~Q(pk__in=entered_by_user)


RESOLUTION_QUEUE = Queue(
    rows=lambda user: Resolution.objects.all(),
    kinds=(Kind("council.sign", _("理事会决议：会议已审议，待签署"), "assistance.sign_resolution", _adopted_unsigned),),
    since="meeting__held_on", list_url="admin:assistance_resolution_changelist")
