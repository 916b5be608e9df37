"""The officers' daily digest: one SMS a morning to each member of staff whose work queue holds
overdue items (nothing when nothing is overdue), sent through the notices outbox.

Who: active staff with a phone who have not switched the digest off (User.daily_digest). What: how
many items are overdue and, briefly, of which kinds — counted by their work queue
(fundportal/workqueue.py), so the SMS says what the queue page shows. Once a day: the outbox
stores one notice per event and recipient, and the event is the day (digest:2024-03-05), so a
re-run, a retried task or a second beat never sends a second message."""
import datetime as dt

from django.utils import timezone

from .models import User
from .notices.models import Notice
from .notices.services import notice_enqueue
from .notices.templates import template_add
from .workqueue import QueueItem, queue_for

TEMPLATE = "staff_digest"
template_add(TEMPLATE, "【瑞安慈善医疗救助】您有{count}项逾期待办：{summary}。请登录基金管理平台处理。",
             name="工作人员逾期待办提醒")
# SMS providers limit a parameter's length (some to 20 characters): the summary names the kinds
# by their subject ("资格审核3件"), as many as fit, then "等".
SUMMARY_MAX = 20


def digest_summary(items: list[QueueItem]) -> str:
    """"资格审核3件、公示异议1件" — the overdue items by subject (the label before "："), largest
    first, cut to SUMMARY_MAX characters with "等"."""
    by_subject: dict[str, int] = {}
    for item in items:
        subject = item.label.split("：", 1)[0]
        by_subject[subject] = by_subject.get(subject, 0) + item.overdue
    parts = [f"{subject}{count}件" for subject, count in sorted(by_subject.items(), key=lambda kv: (-kv[1], kv[0]))]
    kept: list[str] = []
    for index, part in enumerate(parts):
        room_for_more = 0 if index == len(parts) - 1 else len("等")
        if len("、".join([*kept, part])) + room_for_more > SUMMARY_MAX:
            break
        kept.append(part)
    if len(kept) == len(parts):
        return "、".join(kept)
    return ("、".join(kept) or parts[0][:SUMMARY_MAX - 1]) + "等"


def staff_still_wants(notice: Notice) -> bool:
    """Asked when the digest goes out (fundportal/notices/consent.py): a member of staff who has
    switched the digest off, or left (inactive), since the morning's run is not sent it."""
    pk = notice.recipient_key.removeprefix("user:")
    return User.objects.filter(pk=pk if pk.isdigit() else None, is_active=True, daily_digest=True).exists()


def overdue_items(user) -> list[QueueItem]:
    """The user's own overdue work (not what they oversee)."""
    return [item for item in queue_for(user) if item.overdue and not item.supervision]


def staff_digest_send(*, day: dt.date | None = None) -> int:
    """Queue today's digest for every member of staff with overdue work; returns how many were
    told (a second run the same day finds each notice already there and adds none)."""
    day = day or timezone.localdate()
    told = 0
    staff = User.objects.filter(is_active=True, is_staff=True, daily_digest=True).exclude(phone="").order_by("pk")
    for user in staff:
        items = overdue_items(user)
        if not items:
            continue
        notice = notice_enqueue(event_key=f"digest:{day.isoformat()}", recipient_key=f"user:{user.pk}",
                                audience=Notice.Audience.STAFF, phone=user.phone, template=TEMPLATE,
                                params={"count": str(sum(item.overdue for item in items)),
                                        "summary": digest_summary(items)},
                                subject=user)
        told += notice is not None
    return told
