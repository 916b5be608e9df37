"""Statements waiting for the finance staff (fundportal/workqueue.py): built ones to check and
publish (publishing stays a person's decision: the schedule only builds), and builds that failed,
to be built again. One query."""
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fundportal.workqueue import Kind, Queue

from .models import Statement

STATEMENT_QUEUE = Queue(
    rows=lambda user: Statement.objects.all(),
    kinds=(
        Kind("disclosure.publish", _("收支公示：已生成，待核对发布"), "disclosure.publish_statement",
             lambda user: Q(state=Statement.State.BUILT), since="built_at"),
        Kind("disclosure.rebuild", _("收支公示：生成失败，待重新生成"), "disclosure.add_statement",
             lambda user: Q(state=Statement.State.FAILED)),
    ),
    since="requested_at", list_url="admin:disclosure_statement_changelist")
