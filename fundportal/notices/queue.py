"""Notices waiting for staff (fundportal/workqueue.py): those that failed, or whose sending was
cut off (结果不明), for whoever sends notices again by hand once they have checked that the family
or donor did not get it (the Red Cross desk, the charity federation's finance). One query."""
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fundportal.workqueue import Kind, Queue

from .selectors import notices_for_user
from .services import RESENDABLE

NOTICE_QUEUE = Queue(
    rows=lambda user: notices_for_user(user=user),
    kinds=(Kind("notices.resend", _("短信通知：发送失败或结果不明，待核实后重新发送"), "fundportal.resend_notice",
                lambda user: Q(state__in=RESENDABLE)),),
    since="created_at", list_url="admin:fundportal_notice_changelist")
