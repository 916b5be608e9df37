"""Reading the log back: the latest checkpoint with its cosignatures, inclusion and consistency
proofs from the stored subtree hashes (each proof's few dozen rows in one query), and where a gift
or a payout was published, checked as its reader would check it."""
import json
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Prefetch
from django.urls import reverse

from fundportal.public_record import PublishedIn

from .. import tlog
from ..models import Cosignature, LogCheckpoint, LogLeaf
from ..services import title_shown
from . import keys
from .log import stored_hashes, stored_reader

DUMMY = b"\0" * tlog.HASH_SIZE


def latest_checkpoint() -> LogCheckpoint | None:
    return (LogCheckpoint.objects.prefetch_related(Prefetch("cosignatures", Cosignature.objects.order_by("witness")))
            .order_by("-size", "-id").first())


def public_note(checkpoint: LogCheckpoint) -> str:
    """The checkpoint as served: the fund's signed note with every witness's cosignature line added
    (a signed note may carry any number of signatures; c2sp.org/tlog-cosignature)."""
    return checkpoint.note + "".join(cosignature.line for cosignature in checkpoint.cosignatures.all())


def _prefetched(proof, *args) -> list[bytes]:
    """A proof computed over the stored hashes, read in one query: which subtrees a proof needs does
    not depend on their hashes, so a first pass with dummy hashes names them."""
    wanted = []
    proof(lambda level, index: wanted.append((level, index)) or DUMMY, *args)
    return proof(stored_reader(stored_hashes(wanted)), *args)


def inclusion_proof(leaf: LogLeaf, checkpoint: LogCheckpoint) -> tlog.TlogProof:
    """A self-contained proof (c2sp.org/tlog-proof) that the leaf is in the checkpoint's tree; its
    `extra` holds the leaf's own text, so the file alone is enough to check it."""
    hashes = _prefetched(tlog.inclusion_proof, leaf.index, checkpoint.size)
    return tlog.TlogProof(leaf.index, tuple(hashes), public_note(checkpoint), leaf.data.encode("utf-8"))


def consistency_proof(size1: int, size2: int) -> list[bytes]:
    return _prefetched(tlog.consistency_proof, size1, size2)


@dataclass
class Inclusion:
    """Where one ledger entry was published, and whether its proof checks out."""
    leaf: LogLeaf
    checkpoint: LogCheckpoint | None
    verified: bool
    problem: str = ""
    cosigners: list[str] = field(default_factory=list)


def check_leaf(leaf: LogLeaf, checkpoint: LogCheckpoint | None, log_keys: list[tlog.Verifier],
               witness_keys: list[tlog.Verifier]) -> Inclusion:
    """The leaf's proof against the latest checkpoint, checked as the offline verifier does: the
    fund's signature with its key from the key file, the known witnesses' cosignatures, the path."""
    if checkpoint is None or leaf.index >= checkpoint.size:
        return Inclusion(leaf, checkpoint, False, "尚未签入检查点：请稍后再查看")
    try:
        row_entry = json.loads(leaf.data)["row"]["entry"]
    except (ValueError, KeyError, TypeError):
        row_entry = None
    if row_entry != leaf.ledger_entry_id:  # the look-up column must say what the signed leaf says
        return Inclusion(leaf, checkpoint, False, "记录与所查的账目分录不符，日志的索引被改动过")
    try:
        proof = inclusion_proof(leaf, checkpoint)
        checked = tlog.verify_proof(str(proof), tlog.leaf_hash(leaf.data.encode("utf-8")), settings.TLOG_ORIGIN,
                                    log_keys, witness_keys)
    except tlog.TlogError as exc:
        return Inclusion(leaf, checkpoint, False, problem_text(exc))
    return Inclusion(leaf, checkpoint, True, cosigners=sorted(checked.cosigned))


def entry_inclusions(entry_ids) -> list[Inclusion]:
    """Each published row of these ledger entries (a gift appears in its month's, quarter's and
    year's statements), oldest statement first, each checked."""
    leaves = list(LogLeaf.objects.filter(ledger_entry_id__in=list(entry_ids), kind=LogLeaf.Kind.ROW)
                  .select_related("statement").order_by("index"))
    if not leaves:
        return []
    checkpoint = latest_checkpoint()
    # The keys once for all the leaves (the fund's is read from its file).
    log_keys, witness_keys = keys.log_verifiers(), [witness.verifier for witness in keys.witnesses()]
    return [check_leaf(leaf, checkpoint, log_keys, witness_keys) for leaf in leaves]


def problem_text(exc: tlog.TlogError) -> str:
    """A refusal in the reader's words (the library's English detail after it, for whoever checks)."""
    if isinstance(exc, tlog.UnverifiedError):
        lead = "检查点没有本基金公布的公钥的有效签名"
    elif isinstance(exc, tlog.SignatureError):
        lead = "签名校验失败"
    elif isinstance(exc, tlog.ProofError):
        lead = "证明与检查点不符：该记录不在已签名的日志中"
    else:
        lead = "证明或检查点格式不正确"
    return f"{lead}（{exc}）"


def published_in(entry_ids: list[int]) -> list[PublishedIn]:
    """The answer fundportal.public_record asks for (receipts, the family's progress page)."""
    found = []
    for inclusion in entry_inclusions(entry_ids):
        statement = inclusion.leaf.statement
        found.append(PublishedIn(
            sequence=statement.sequence, title=title_shown(statement),
            url=reverse("disclosure:statement", args=[statement.sequence]),
            proof_url=reverse("disclosure:log_proof", args=[inclusion.leaf.index]),
            verified=inclusion.verified, problem=inclusion.problem, cosigners=tuple(inclusion.cosigners),
            log_size=inclusion.checkpoint.size if inclusion.checkpoint else 0))
    return found
