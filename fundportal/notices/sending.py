"""Sending the outbox: each row at most once to the provider, whatever the queue does.

A task may arrive twice (a duplicated or redelivered message, the sweep's requeue), two workers may
take it at once, a worker may die at any line. So the provider is called only by the worker whose
compare-and-set moved the row from pending to sending (one UPDATE … WHERE state = 'pending': the
database lets exactly one of them change it), and that claim is committed before the call. After
the provider's answer the row is sent, pending again (a failure that sending again cannot double),
failed (with the reason), or uncertain (the provider may have delivered it: never sent again by
itself; staff look and may send it again by hand, fundportal.notices.services.notice_resend).

A worker killed after its claim leaves the row in "sending"; the sweep (every minute, on the beat)
turns it uncertain once the lease has passed. A worker killed before its claim, or a task lost
with the broker, leaves the row pending; the sweep queues it again.

Call these from tasks (fundportal.notices.tasks), outside any transaction: the claim must be
committed before the provider is called.
"""
import datetime as dt
import logging

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import F, Q
from django.utils import timezone

from fundportal.logsafe import mask_personal_data
from fundportal.masking import mask_phone
from fundportal.queue import send_named

from .backends import REJECTED, RETRY, SENT, UNCERTAIN, Outcome, SmsMessage, backend_get, backend_name
from .consent import WITHDRAWN_REPLY, still_wanted
from .models import Notice
from .services import SEND_TASK
from .templates import provider_template_code, template_check

logger = logging.getLogger(__name__)
S = Notice.State

SWEEP_BATCH = 500  # rows queued again per sweep: a long outage drains over a few minutes, not at once
# A new row's task was sent when it was committed: the sweep leaves it that long before sending another.
REQUEUE_GRACE = dt.timedelta(seconds=60)
CUT_OFF_REPLY = ("发送过程中断（发送进程可能已退出），短信可能已经发出："
                 "不自动重发，请核实后再决定是否重新发送")
UNEXPECTED_REPLY = "发送时出现意外错误，短信可能已经发出：不自动重发，请核实后再决定是否重新发送"


def notice_send(notice_id: int) -> str:
    """Send one notice if it is due and nobody has taken it; what became of it: "sent", "retry",
    "failed", "uncertain", or "skipped" (not due, already taken, already done)."""
    backend = backend_get()  # a misconfigured provider fails here, before any row is claimed
    claimed_at = timezone.now()
    claimed = Notice.objects.filter(pk=notice_id, state=S.PENDING, next_attempt_at__lte=claimed_at).update(
        state=S.SENDING, claimed_at=claimed_at, attempts=F("attempts") + 1, backend=backend_name(backend))
    if claimed != 1:
        return "skipped"
    notice = Notice.objects.get(pk=notice_id)
    if not still_wanted(notice):  # opted out (or consent withdrawn) since the event was told
        return _record(notice, claimed_at, Outcome(REJECTED, WITHDRAWN_REPLY, "withdrawn"))
    try:
        message = _message(notice)
    except ImproperlyConfigured as exc:  # the template was removed or changed since the event
        return _record(notice, claimed_at, Outcome(REJECTED, "通知模板不存在或参数不符", "template", detail=str(exc)))
    try:
        outcome = backend.send(message)
    except Exception:  # a bug or an unforeseen error in the backend: where it stopped is unknown
        logger.exception("notice %s: the backend %s failed unexpectedly", notice.pk, backend_name(backend))
        outcome = Outcome(UNCERTAIN, UNEXPECTED_REPLY, "error")
    return _record(notice, claimed_at, outcome)


def _message(notice: Notice) -> SmsMessage:
    template = template_check(notice.template, notice.params)
    return SmsMessage(notice_id=notice.pk, phone=notice.phone, template=notice.template,
                      provider_template=provider_template_code(notice.template), params=dict(notice.params),
                      ordered_params=[notice.params[name] for name in template.param_order],
                      text=template.render(notice.params))


def retry_delay(attempts: int) -> dt.timedelta:
    """Exponential backoff: the base after the first attempt, doubled after each one after it."""
    return dt.timedelta(seconds=settings.NOTICE_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0))


def _record(notice: Notice, claimed_at: dt.datetime, outcome: Outcome) -> str:
    """Write the provider's answer on the row this worker claimed (matched by its claim time, so a
    row claimed again since, after staff sent it again, is left to that claim)."""
    now = timezone.now()
    mine = Notice.objects.filter(pk=notice.pk, claimed_at=claimed_at)
    reply = mask_personal_data(outcome.reply_text())
    attempts = notice.attempts
    if outcome.kind == SENT:
        # Also over "uncertain" (the sweep gave up waiting) or "pending" (staff asked to send it
        # again meanwhile): the provider's word that it took the message settles both.
        result = "sent"
        done = mine.filter(state__in=[S.SENDING, S.UNCERTAIN, S.PENDING]).update(
            state=S.SENT, sent_at=now, provider_message_id=outcome.message_id[:80], provider_reply=reply)
    elif outcome.kind == RETRY and attempts < settings.NOTICE_MAX_ATTEMPTS:
        result = "retry"
        next_at = now + retry_delay(attempts)
        reply = f"第{attempts}次未发出，{timezone.localtime(next_at):%H:%M:%S} 后重试：{reply}"[:500]
        done = mine.filter(state__in=[S.SENDING, S.UNCERTAIN]).update(
            state=S.PENDING, next_attempt_at=next_at, provider_reply=reply)
    elif outcome.kind == UNCERTAIN:
        result = "uncertain"
        done = mine.filter(state__in=[S.SENDING, S.UNCERTAIN]).update(state=S.UNCERTAIN, provider_reply=reply)
    else:  # refused for good, or still failing after the last attempt
        result = "failed"
        if outcome.kind == RETRY:
            reply = f"已尝试{attempts}次仍未发出：{reply}"[:500]
        done = mine.filter(state__in=[S.SENDING, S.UNCERTAIN]).update(state=S.FAILED, provider_reply=reply)
    if not done:
        logger.warning("notice %s: the provider's answer (%s) came after the row was taken over; not recorded",
                       notice.pk, outcome.code)
    log = logger.info if result in ("sent", "retry") else logger.warning
    log("notice %s (%s to %s) %s after %s attempt(s): %s", notice.pk, notice.template, mask_phone(notice.phone),
        result, attempts, outcome.code)
    return result


def notices_sweep() -> dict[str, int]:
    """Every minute (beat): rows left in "sending" past the lease become uncertain (never sent again
    by themselves); pending rows that are due and whose task may be lost are queued again."""
    now = timezone.now()
    lease = dt.timedelta(seconds=settings.NOTICE_SENDING_LEASE_SECONDS)
    cut_off = list(Notice.objects.filter(state=S.SENDING, claimed_at__lt=now - lease).values_list("pk", flat=True))
    marked = Notice.objects.filter(pk__in=cut_off, state=S.SENDING, claimed_at__lt=now - lease).update(
        state=S.UNCERTAIN, provider_reply=CUT_OFF_REPLY)
    if marked:
        logger.warning("notices %s were cut off while sending: marked uncertain, for staff to check", cut_off)
    try:
        backend_get()
    except ImproperlyConfigured as exc:  # every task would fail the same way: say it once a minute
        logger.error("notices wait: the notice backend is not configured: %s", exc)
        return {"uncertain": marked, "queued": 0}
    # A retry's only sender is this sweep; a new row (or one sent again by hand) had its task sent
    # on commit, so it is queued again only once that task had time to run.
    due = (Notice.objects.filter(state=S.PENDING)
           .filter(Q(attempts__gt=0, next_attempt_at__lte=now) | Q(next_attempt_at__lte=now - REQUEUE_GRACE))
           .order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:SWEEP_BATCH])
    queued = 0
    for notice_id in list(due):
        if not send_named(SEND_TASK, notice_id):
            break  # the broker is down: the next sweep tries again
        queued += 1
    return {"uncertain": marked, "queued": queued}
