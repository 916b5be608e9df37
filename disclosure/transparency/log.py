"""Appending to the log and signing its checkpoints. Callers hold the chain head's lock
(ChainHead.locked(), taken again here): publications and file records append one at a time, so
leaf numbers never collide and each checkpoint covers every leaf before it. Each append stores the
leaves, the complete subtrees they finish (a proof then reads a few dozen rows at any size) and a
checkpoint signed with the fund's key; once committed, the witnesses are asked to cosign it."""
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from fundportal.queue import send_named

from .. import tlog
from ..models import ChainHead, LogCheckpoint, LogLeaf, LogNode
from . import keys
from .leaves import Leaf

logger = logging.getLogger(__name__)
LEVEL_SHIFT = 56  # LogNode.key = level << 56 | index
COSIGN_TASK = "disclosure.tasks.tlog_cosign_task"


def node_key(level: int, index: int) -> int:
    return (level << LEVEL_SHIFT) | index


def log_size() -> int:
    last = LogLeaf.objects.order_by("-index").values_list("index", flat=True).first()
    return 0 if last is None else last + 1


def edge(size: int) -> list[tuple[int, int]]:
    """The complete subtrees a tree of `size` leaves is made of, left to right (what an append reads)."""
    coords, start = [], 0
    for level in range(size.bit_length() - 1, -1, -1):
        if size >> level & 1:
            coords.append((level, start >> level))
            start += 1 << level
    return coords


def stored_hashes(coords) -> dict[tuple[int, int], bytes]:
    wanted = {node_key(level, index): (level, index) for level, index in coords}
    return {wanted[key]: bytes(value)
            for key, value in LogNode.objects.filter(key__in=list(wanted)).values_list("key", "hash")}


def stored_reader(known: dict[tuple[int, int], bytes] | None = None) -> tlog.Reader:
    """A reader of the stored subtree hashes: from `known` first, else one row at a time."""
    known = {} if known is None else known

    def read(level: int, index: int) -> bytes:
        if (level, index) not in known:
            found = stored_hashes([(level, index)])
            if not found:
                raise tlog.ProofError(f"the log has no stored hash for subtree {level}/{index}")
            known.update(found)
        return known[(level, index)]
    return read


def tree_root_stored(size: int) -> bytes:
    """The root of the log's first `size` leaves, from the stored subtrees on its edge."""
    return tlog.range_root(stored_reader(stored_hashes(edge(size))), 0, size)


def _cosign_after_commit() -> None:
    transaction.on_commit(lambda: send_named(COSIGN_TASK))


def checkpoint_sign(size: int, root: bytes, signers: list[tlog.Signer]) -> LogCheckpoint:
    """A checkpoint for the log as it stands, signed by each signer (two during a key rotation)."""
    text = tlog.Checkpoint(settings.TLOG_ORIGIN, size, root).text
    note = str(tlog.Note(text, tuple(tlog.sign(text, signer) for signer in signers)))
    checkpoint = LogCheckpoint.objects.create(size=size, root=root, note=note, signed_at=timezone.now())
    _cosign_after_commit()
    return checkpoint


def log_append(leaves: list[Leaf], *, must_sign: bool = True,
               signers: list[tlog.Signer] | None = None) -> LogCheckpoint | None:
    """Append the leaves and sign a checkpoint of the new tree. Without the fund's key, a publication
    (`must_sign`) is refused (KeyMissing); a file record is appended unsigned, and the next
    checkpoint covers it (verify says how many leaves wait for one)."""
    if not leaves:
        return None
    if signers is None:
        try:
            signers = [keys.log_signer()]
        except keys.KeyMissing:
            if must_sign:
                raise
            logger.error("transparency log: no signing key, %d leaves appended without a checkpoint", len(leaves))
            signers = []
    ChainHead.locked()
    size = log_size()
    known = stored_hashes(edge(size))
    read = stored_reader(known)
    now, rows = timezone.now(), []
    new: dict[tuple[int, int], bytes] = {}
    for offset, leaf in enumerate(leaves):
        digest = tlog.leaf_hash(leaf.data.encode("utf-8"))
        for level, index, value in tlog.new_nodes(read, size + offset, digest):
            known[(level, index)] = new[(level, index)] = value
        rows.append(LogLeaf(index=size + offset, kind=leaf.kind, statement=leaf.statement,
                            ledger_entry_id=leaf.ledger_entry_id, data=leaf.data, hash=digest, appended_at=now))
    LogLeaf.objects.bulk_create(rows, batch_size=2000)
    LogNode.objects.bulk_create([LogNode(key=node_key(*coord), hash=value) for coord, value in new.items()],
                                batch_size=5000)
    if not signers:
        return None
    size += len(leaves)
    return checkpoint_sign(size, tlog.range_root(read, 0, size), signers)
