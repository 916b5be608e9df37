"""What staff see of the outbox: the notices of one case, and the admin's list scoped to the user.

Phones are masked in everything built here (fundportal.masking). The core knows no app, so which
cases an area-bound officer may see is told by the apps: `notice_scope_register(Model, scope)`
(from an AppConfig.ready), where scope(user) is the queryset of that model's rows the user may see
(e.g. assistance's applications_for_user). An officer sees the notices about those rows only."""
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet

from fundportal.masking import mask_phone

from .models import Notice
from .templates import TEMPLATES, template_label

Scope = Callable[[object], QuerySet]
SCOPES: dict[type, Scope] = {}


def notice_scope_register(model: type, scope: Scope) -> None:
    SCOPES[model] = scope


def sees_every_notice(user) -> bool:
    """Whoever sends notices again by hand (the Red Cross desk, the charity federation's finance),
    auditors and superusers: the whole outbox. Area-bound officers: their own cases' notices."""
    return user.is_superuser or user.has_perm("fundportal.resend_notice") or user.has_perm(
        "fundportal.view_audit_trail")


def notices_for_user(*, user) -> QuerySet[Notice]:
    notices = Notice.objects.select_related("subject_type")
    if not user.has_perm("fundportal.view_notice"):
        return notices.none()
    if sees_every_notice(user):
        return notices
    visible = Q(pk__in=[])
    for model, scope in SCOPES.items():
        visible |= Q(subject_type=ContentType.objects.get_for_model(model),
                     subject_id__in=scope(user).values("pk"))
    return notices.filter(visible)


def notices_for(obj) -> QuerySet[Notice]:
    """The notices whose subject is `obj` (an application, a donation, a user), newest first."""
    return Notice.objects.filter(**Notice.subject_of(obj)).order_by("-created_at", "-id")


@dataclass(frozen=True)
class NoticeLine:
    """One notice as a case page shows it (templates/includes/notices.html)."""

    created_at: dt.datetime
    sent_at: dt.datetime | None
    template: str  # its name for staff
    text: str  # as the family read it (or would have)
    phone: str  # masked
    state: str  # Notice.State value
    state_label: str  # in Chinese
    attempts: int
    reply: str


def notice_text(notice: Notice) -> str:
    """The message as rendered from its template, or "" if the template is gone or changed."""
    template = TEMPLATES.get(notice.template)
    if template is None or set(notice.params) != template.params:
        return ""
    return template.render(notice.params)


def notice_lines(obj) -> list[NoticeLine]:
    return [NoticeLine(created_at=n.created_at, sent_at=n.sent_at, template=template_label(n.template),
                       text=notice_text(n), phone=mask_phone(n.phone), state=n.state,
                       state_label=n.get_state_display(), attempts=n.attempts, reply=n.provider_reply)
            for n in notices_for(obj)]


def notices_shown(obj, *, user) -> list[NoticeLine]:
    """`obj`'s notices for a staff page: none for a user without fundportal.view_notice."""
    if obj is None or obj.pk is None or not user.has_perm("fundportal.view_notice"):
        return []
    return notice_lines(obj)
