"""What staff see of the notices: those of one case, newest first (phones masked by the include,
templates/includes/notices.html). Minimal: the sending side may widen it."""
import datetime as dt
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet

from ..masking import mask_phone
from .models import Notice
from .templates import TEMPLATES


def notices_for(obj) -> QuerySet[Notice]:
    """The notices whose subject is `obj` (an application, a receipt, a pledge instalment)."""
    if obj is None or obj.pk is None:
        return Notice.objects.none()
    return Notice.objects.filter(subject_type=ContentType.objects.get_for_model(obj),
                                 subject_id=obj.pk).order_by("-created_at", "-id")


@dataclass(frozen=True)
class NoticeShown:
    """One notice as a staff page shows it: the phone masked, the text as the family or donor read it."""

    created_at: dt.datetime
    template: str
    text: str
    phone: str  # masked
    state: str
    state_label: str
    attempts: int
    sent_at: dt.datetime | None


def notices_shown(obj, *, user) -> list[NoticeShown]:
    """`obj`'s notices for a staff page: none for a user without fundportal.view_notice."""
    if not user.has_perm("fundportal.view_notice"):
        return []
    return [NoticeShown(created_at=notice.created_at, template=notice.template, text=_text(notice),
                        phone=mask_phone(notice.phone), state=notice.state, state_label=notice.get_state_display(),
                        attempts=notice.attempts, sent_at=notice.sent_at)
            for notice in notices_for(obj)[:50]]


def _text(notice: Notice) -> str:
    try:
        return TEMPLATES[notice.template].render(notice.params)
    except (KeyError, IndexError, ValueError):
        return ""  # a template since removed: the code and the state still show
