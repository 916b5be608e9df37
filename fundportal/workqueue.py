"""Each staff member's work queue: what waits for this person, oldest first, with deadlines.

The core knows no app (import contracts), so each app registers the kinds of work it owns
(register, from its AppConfig.ready); the queue page and the officers' daily digest ask every
provider. A provider takes the user and returns the items waiting for them, already scoped to
their area and role (an empty list for a user whose role does not do that work)."""
import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass


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


Provider = Callable[[object], Iterable[QueueItem]]
PROVIDERS: list[Provider] = []


def register(provider: Provider) -> Provider:
    if provider not in PROVIDERS:
        PROVIDERS.append(provider)
    return provider


def queue_for(user) -> list[QueueItem]:
    """The user's work: overdue first, then by the oldest waiting; empty kinds left out."""
    items = [item for provider in PROVIDERS for item in provider(user) if item.count]
    return sorted(items, key=lambda i: (-i.overdue, i.oldest or dt.date.max, i.label))
