"""Reading the log back: the latest checkpoint with its cosignatures, inclusion and consistency
proofs from the stored subtree hashes (each proof's few dozen rows in one query), and where a gift
or a payout was published, checked as its reader would check it."""
import json
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Prefetch, Q
from django.urls import reverse

from fundportal.public_record import PublishedIn

from .. import tlog
from ..models import Cosignature, LogCheckpoint, LogLeaf
from ..services import title_shown
from . import keys
from .checks import unresolved_alarms
from .log import stored_hashes, stored_reader

DUMMY = b"\0" * tlog.HASH_SIZE


def _checkpoints():
    return LogCheckpoint.objects.prefetch_related(Prefetch("cosignatures", Cosignature.objects.order_by("witness")))


def latest_checkpoint() -> LogCheckpoint | None:
    return _checkpoints().order_by("-size", "-id").first()


def checkpoint_of_size(size: int) -> LogCheckpoint | None:
    return _checkpoints().filter(size=size).order_by("-id").first()


def cosigned_checkpoint(witnesses: list[keys.Witness], quorum: int) -> LogCheckpoint | None:
    """The latest checkpoint that `quorum` of the configured witnesses cosigned: what a reader's proof
    is checked against, so that "verified" never rests on the fund's signature alone when there are
    witnesses (the rows are only a pointer: each cosignature is verified with the witness's key)."""
    if not quorum:
        return latest_checkpoint()
    names = [witness.name for witness in witnesses]
    return (_checkpoints().annotate(known=Count("cosignatures", filter=Q(cosignatures__witness__in=names)))
            .filter(known__gte=quorum).order_by("-size", "-id").first())


def proof_checkpoint(index: int) -> LogCheckpoint | None:
    """The checkpoint a downloaded proof for leaf `index` is made against: the latest cosigned one
    that holds the leaf, else the latest (a leaf still waiting for the witnesses)."""
    witnesses = keys.witnesses()
    cosigned = cosigned_checkpoint(witnesses, keys.witness_quorum(witnesses))
    if cosigned is not None and index < cosigned.size:
        return cosigned
    latest = latest_checkpoint()
    return latest if latest is not None and index < latest.size else None


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
    """Where one ledger entry was published, and whether its proof checks out (`pending`: not yet
    checkable — the leaf waits for a checkpoint or for the witnesses' cosignatures)."""
    leaf: LogLeaf
    checkpoint: LogCheckpoint | None
    verified: bool
    problem: str = ""
    cosigners: list[str] = field(default_factory=list)
    pending: bool = False


@dataclass
class Trust:
    """What every proof on a page is checked with: keys from the key file and settings, the
    checkpoint the witnesses cosigned, and whether any witness has refused the log as rewritten."""
    checkpoint: LogCheckpoint | None
    latest_size: int
    log_keys: list[tlog.Verifier]
    witness_keys: list[tlog.Verifier]
    quorum: int
    alarmed: bool

    @classmethod
    def now(cls) -> "Trust":
        witnesses = keys.witnesses()
        quorum = keys.witness_quorum(witnesses)
        latest = latest_checkpoint()
        checkpoint = cosigned_checkpoint(witnesses, quorum) if quorum else latest
        return cls(checkpoint, latest.size if latest else 0, keys.log_verifiers(),
                   [witness.verifier for witness in witnesses], quorum, bool(unresolved_alarms()))


SPLIT = "有见证方拒绝副署本基金的检查点（与其此前副署的记录不一致，日志可能被改写或出现分叉）：查明之前暂停校验，详见核验页"


def check_leaf(leaf: LogLeaf, trust: Trust) -> Inclusion:
    """The leaf's proof against the cosigned checkpoint, checked as the offline verifier does: the
    fund's signature with its key from the key file, `quorum` known witnesses' cosignatures, the path."""
    checkpoint = trust.checkpoint
    if trust.alarmed:
        return Inclusion(leaf, checkpoint, False, SPLIT)
    if checkpoint is None or leaf.index >= checkpoint.size:
        if leaf.index < trust.latest_size:
            return Inclusion(leaf, checkpoint, False, "已签入检查点，等待见证方副署后即可校验", pending=True)
        return Inclusion(leaf, checkpoint, False, "尚未签入检查点：请稍后再查看", pending=True)
    try:
        row_entry = json.loads(leaf.data)["row"]["entry"]
    except (ValueError, KeyError, TypeError):
        row_entry = None
    if row_entry != leaf.ledger_entry_id:  # the look-up column must say what the signed leaf says
        return Inclusion(leaf, checkpoint, False, "记录与所查的账目分录不符，日志的索引被改动过")
    try:
        proof = inclusion_proof(leaf, checkpoint)
        checked = tlog.verify_proof(str(proof), tlog.leaf_hash(leaf.data.encode("utf-8")), settings.TLOG_ORIGIN,
                                    trust.log_keys, trust.witness_keys, trust.quorum)
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
    trust = Trust.now()  # the keys and the checkpoint once for all the leaves
    return [check_leaf(leaf, trust) for leaf in leaves]


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
            log_size=inclusion.checkpoint.size if inclusion.checkpoint else 0, pending=inclusion.pending))
    return found
