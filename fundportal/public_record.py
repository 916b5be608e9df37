"""Where a gift or a payout was published, for the pages of donations and assistance, which may not
import disclosure (the import contracts): disclosure registers the answer at start-up, the pages ask
here with ledger entries. Without disclosure installed, nothing is published, and the list is empty."""
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType

from .models import LedgerEntry


@dataclass(frozen=True)
class PublishedIn:
    """One published statement holding the entry's row, and whether its proof checked out."""
    sequence: int
    title: str
    url: str
    proof_url: str
    verified: bool
    problem: str = ""
    cosigners: tuple[str, ...] = field(default_factory=tuple)
    log_size: int = 0
    pending: bool = False  # not checkable yet (waiting for a checkpoint or the witnesses), not a failure


Provider = Callable[[list[int]], list[PublishedIn]]
_provider: list[Provider] = []


def register(provider: Provider) -> None:
    _provider[:] = [provider]


def published_in(entry_ids: Iterable[int]) -> list[PublishedIn]:
    ids = list(entry_ids)
    return _provider[0](ids) if _provider and ids else []


def entries_of(sources) -> list[int]:
    """The ledger entries of these gifts or payouts (and of their reversals, which name the same source)."""
    sources = list(sources)
    if not sources:
        return []
    return list(LedgerEntry.objects.filter(source_type=ContentType.objects.get_for_model(sources[0]),
                                           source_id__in=[str(source.pk) for source in sources])
                .order_by("pk").values_list("pk", flat=True))
