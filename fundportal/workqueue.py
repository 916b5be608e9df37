"""Each staff member's work queue: what waits for this person, oldest first, with deadlines.

The core knows no app (import contracts), so each app registers the kinds of work it owns
(register, from its AppConfig.ready); the queue page (fundportal/workqueue_admin.py), the
clerks' workspace and the officers' daily digest (fundportal/digest.py) ask every provider. A
provider takes the user and returns the items waiting for them, already scoped to their area and
role (an empty list for a user whose role does not do that work).

Most providers are a `Queue`: the kinds of work kept in one list (review cases to dispatch, to
hand over, to verify, to decide), counted for the user in one aggregate query over the rows the
list's own scoping selector gives them. The list's "我的待办" filter (WorkQueueFilter) applies the
very same rows and conditions, so a count on the queue page is what its link shows.

Work is asked of the roles that do it. Administrators and superusers hold every permission so that
they can repair anything; none of the fund's work waits for them on that account (their queue is
the system's own: fundportal/workqueue_system.py).
"""
import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Count, Min, Q, QuerySet
from django.urls import reverse
from django.utils import timezone


@dataclass(frozen=True)
class QueueItem:
    """One kind of work waiting for the user, e.g. "待交村（社区）甄别" with its count."""

    key: str  # stable, e.g. "review.assign"
    label: str  # Chinese, what is to be done
    count: int
    url: str  # the page where it is done, filtered to these items
    overdue: int = 0  # how many of them are past their deadline
    oldest: dt.date | None = None  # when the oldest started waiting
    due: dt.date | None = None  # the nearest deadline
    overdue_url: str = ""  # the same page filtered to the overdue ones ("" when none has a deadline)
    supervision: bool = False  # others' work the user oversees (督办): shown, never in their digest


Provider = Callable[[object], Iterable[QueueItem]]
PROVIDERS: list[Provider] = []


def register(provider: Provider) -> Provider:
    if provider not in PROVIDERS:
        PROVIDERS.append(provider)
    return provider


def queue_for(user) -> list[QueueItem]:
    """The user's work: overdue first, then by the oldest waiting; empty kinds left out."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    items = [item for provider in PROVIDERS for item in provider(user) if item.count]
    return sorted(items, key=lambda i: (-i.overdue, i.oldest or dt.date.max, i.label))


# ------------------------------------------------------------------------------------ who does what

def administers(user) -> bool:
    """Superusers and holders of the administrator role (every permission, for repairs)."""
    if user.is_superuser:
        return True
    cached = getattr(user, "_workqueue_administers", None)
    if cached is None:
        from .roles import Role

        cached = user.groups.filter(name=Role.ADMINISTRATOR).exists()
        user._workqueue_administers = cached
    return cached


def does_the_work(user, permission: str) -> bool:
    """Whether the work `permission` allows waits for this user: an active member of staff who
    holds it through a role that does that work (not merely as an administrator)."""
    return (user.is_active and user.is_staff and user.has_perm(permission)
            and not administers(user))


# ------------------------------------------------------------------------ kinds of work in one list

@dataclass(frozen=True)
class Kind:
    """One kind of work in a list: who does it (`permission`) and which of the list's rows it is
    for this user (`where`, a Q over the rows; None when the user does not do it after all, as a
    town officer, who decides objections, does not also investigate them)."""

    key: str
    label: str
    permission: str
    where: Callable[[object], Q | None]
    since: str | None = None  # when its rows started waiting, if not the queue's `since`
    supervision: bool = False  # others' overdue work, shown to those who oversee it (auditors)


@dataclass(frozen=True)
class Queue:
    """The kinds of work done in one list, e.g. the review cases' admin list.

    rows(user): the rows of the list this user may see (the list's own scoping selector);
    since: the field (path) saying when a row started waiting; due: its deadline's field, if any;
    list_url: the URL name of the page where the work is done; list_field: which field of a row is
    that page's row (pledge_id when instalments are counted on the pledges' list).
    """

    rows: Callable[[object], QuerySet]
    kinds: tuple[Kind, ...]
    since: str
    list_url: str
    due: str | None = None
    list_field: str = "pk"

    def kinds_for(self, user) -> list[tuple[Kind, Q]]:
        """The kinds this user does, each with its condition."""
        chosen = []
        for kind in self.kinds:
            if does_the_work(user, kind.permission) and (where := kind.where(user)) is not None:
                chosen.append((kind, where))
        return chosen

    def items(self, user) -> list[QueueItem]:
        """The user's items of this list, counted in one query (none if they do none of it)."""
        kinds = self.kinds_for(user)
        if not kinds:
            return []
        today = timezone.localdate()
        aggregates = {}
        for index, (kind, where) in enumerate(kinds):
            # distinct: a condition through a to-many relation joins a row once per related row.
            aggregates[f"n{index}"] = Count("pk", filter=where, distinct=True)
            aggregates[f"since{index}"] = Min(kind.since or self.since, filter=where)
            if self.due:
                aggregates[f"late{index}"] = Count("pk", filter=where & Q(**{f"{self.due}__lt": today}),
                                                   distinct=True)
                aggregates[f"due{index}"] = Min(self.due, filter=where)
        totals = self.rows(user).order_by().aggregate(**aggregates)
        items = []
        for index, (kind, _where) in enumerate(kinds):
            url = f"{reverse(self.list_url)}?todo={kind.key}"
            overdue = totals.get(f"late{index}") or 0
            items.append(QueueItem(key=kind.key, label=str(kind.label), count=totals[f"n{index}"], url=url,
                                   overdue=overdue, oldest=as_date(totals[f"since{index}"]),
                                   due=totals.get(f"due{index}"),
                                   overdue_url=f"{url}.overdue" if overdue else "", supervision=kind.supervision))
        return items

    def matching(self, user, key: str, *, overdue: bool = False) -> QuerySet:
        """The list's rows (their `list_field`) of the kind `key` for this user: what the list's
        "我的待办" filter shows, the same rows and conditions `items` counted."""
        rows = self.rows(user)
        for kind, where in self.kinds_for(user):
            if kind.key == key:
                rows = rows.filter(where)
                if overdue and self.due:
                    rows = rows.filter(**{f"{self.due}__lt": timezone.localdate()})
                return rows.values(self.list_field)
        return rows.none().values(self.list_field)


def as_date(value) -> dt.date | None:
    """A timestamp as the local day it fell on (dates pass through)."""
    if isinstance(value, dt.datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    return value
