"""Writing to the outbox. Callers tell an event once or many times; it is stored once per
(event, recipient) and sent after their transaction commits (fundportal/notices/sending.py).
Staff send a failed or uncertain notice again by hand (notice_resend)."""
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Notice
from .templates import template_check

SEND_TASK = "fundportal.notices.tasks.notice_send_task"
RESENDABLE = (Notice.State.UNCERTAIN, Notice.State.FAILED)


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


@transaction.atomic
def notice_resend(*, notice: Notice, acting_user) -> Notice:
    """Send a failed or uncertain notice again, by hand: staff have checked (with the family, or
    the provider's console) that it did not arrive. The attempts start again; the admin log
    records who sent it again and what the row said before."""
    if not acting_user.has_perm("fundportal.resend_notice"):
        raise PermissionDenied(_("您没有重新发送通知的权限"))
    locked = Notice.objects.select_for_update().get(pk=notice.pk)
    if locked.state not in RESENDABLE:
        raise ValidationError(_("只有发送失败或结果不明的通知可以重新发送（当前状态：%(state)s）")
                              % {"state": locked.get_state_display()})
    before = _("此前状态：%(state)s，已尝试%(attempts)s次；%(reply)s") % {
        "state": locked.get_state_display(), "attempts": locked.attempts, "reply": locked.provider_reply}
    Notice.objects.filter(pk=locked.pk).update(
        state=Notice.State.PENDING, attempts=0, next_attempt_at=timezone.now(),
        provider_reply=(_("%(user)s 已重新发送。") % {"user": acting_user} + before)[:500])
    LogEntry.objects.log_actions(user_id=acting_user.pk, queryset=[locked], action_flag=CHANGE,
                                 change_message=(_("重新发送通知。") + before)[:2000], single_object=True)
    transaction.on_commit(lambda: _send_soon(locked.pk))
    locked.refresh_from_db()
    return locked
