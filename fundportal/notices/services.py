"""Writing to the outbox. Callers tell an event once or many times; it is stored once per
(event, recipient) and sent after their transaction commits (fundportal/notices/sending.py)."""
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import Notice
from .templates import template_check

SEND_TASK = "fundportal.notices.tasks.notice_send_task"


def notice_enqueue(*, event_key: str, recipient_key: str, audience: str, phone: str, template: str,
                   params: dict, subject=None) -> Notice | None:
    """Queue one notice for one recipient of one event; the row already there if the event was told
    before (a retried task, a re-run, a second click). No phone, no notice: None. Consent is the
    caller's to check (each audience records it in its own place)."""
    if not phone:
        return None
    template_check(template, params)
    try:
        with transaction.atomic():  # a savepoint: a duplicate leaves the caller's transaction usable
            notice = Notice.objects.create(
                event_key=event_key, recipient_key=recipient_key, audience=audience, phone=phone,
                template=template, params=params, next_attempt_at=timezone.now(), **Notice.subject_of(subject))
    except IntegrityError:
        return Notice.objects.get(event_key=event_key, recipient_key=recipient_key)
    transaction.on_commit(lambda: _send_soon(notice.pk))
    return notice


def _send_soon(notice_id: int) -> None:
    from fundportal.queue import send_named  # the broker down: the sweep sends it later

    send_named(SEND_TASK, notice_id)
