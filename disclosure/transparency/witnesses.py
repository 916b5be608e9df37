"""Asking the witnesses to cosign (c2sp.org/tlog-witness, POST <url>/add-checkpoint), and keeping
what they answered. Each witness is sent the latest checkpoint with a consistency proof from the size
it last cosigned; one that remembers another size says so (409, text/x.tlog.size) and is sent the
proof from there; a 409 without a size means the same size with another root — a split view.
A cosignature is kept only once it verifies with the witness's configured key. Every attempt is
recorded, so a missing cosignature is visible with its reason, and a witness's refusal of a
checkpoint that does not extend what it saw — the log rewritten, or shown two ways — stays on record.
Never on the public pages' path: a Celery task after each publication, and on the beat schedule."""
import datetime as dt
import logging
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from .. import tlog
from ..models import Cosignature, LogCheckpoint, WitnessAttempt
from . import keys
from .checks import genuine_cosignatures
from .proofs import consistency_proof, latest_checkpoint

logger = logging.getLogger(__name__)
Outcome = WitnessAttempt.Outcome
MAX_ANSWER = 64 * 1024
SIZE_TYPE = "text/x.tlog.size"  # a 409's body is the witness's size only with this content type


class Answer(Exception):
    def __init__(self, outcome: str, message: str):
        super().__init__(message)
        self.outcome = outcome


def _exchange(witness: keys.Witness, body: str) -> tuple[int, str, str]:
    """(status, content type without its parameters, body text)."""
    request = urllib.request.Request(f"{witness.url}/add-checkpoint", data=body.encode("utf-8"), method="POST",
                                     headers={"Content-Type": "text/plain; charset=utf-8"})
    try:
        with urllib.request.urlopen(request, timeout=settings.TLOG_WITNESS_TIMEOUT) as response:
            return response.status, response.headers.get_content_type(), \
                response.read(MAX_ANSWER).decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get_content_type(), exc.read(MAX_ANSWER).decode("utf-8", "replace")
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise Answer(Outcome.UNREACHABLE, f"无法连接见证方：{reason}") from None


def _post(witness: keys.Witness, body: str) -> tuple[int, str, str]:
    """One request, over within the timeout as a whole: a witness that answers a byte at a time
    (each read within the socket's timeout) must not hold the publication or a worker."""
    pool = ThreadPoolExecutor(max_workers=1)
    try:
        return pool.submit(_exchange, witness, body).result(timeout=settings.TLOG_WITNESS_TIMEOUT * 2)
    except FutureTimeout:
        raise Answer(Outcome.UNREACHABLE, "见证方在限定时间内没有答完") from None
    finally:
        pool.shutdown(wait=False)


def last_cosigned_size(witness: keys.Witness) -> int:
    """The largest checkpoint of this log's tree this witness cosigned for us (verified lines only:
    a row anyone with the database inserts is not its memory)."""
    return next((size for size, _ in genuine_cosignatures(witness.name, [witness.verifier])), 0)


def _request(witness: keys.Witness, checkpoint: LogCheckpoint, old: int) -> tuple[int, str, str]:
    proof = consistency_proof(old, checkpoint.size) if 0 < old < checkpoint.size else []
    return _post(witness, tlog.format_add_checkpoint(old, proof, checkpoint.note))


def _cosignature(witness: keys.Witness, checkpoint: LogCheckpoint, answer: str) -> tuple[str, int]:
    """The witness's cosignature line, checked against its key: (line, timestamp). The answer may
    hold more than one signature line (a witness with several keys): the others are ignored."""
    for line in answer.splitlines(keepends=True):
        line = line if line.endswith("\n") else line + "\n"
        try:
            opened = tlog.open_note(checkpoint.note + line, [witness.verifier])
        except tlog.TlogError:
            continue
        if witness.verifier in opened.verified:
            return line, opened.verified[witness.verifier]
    raise Answer(Outcome.REFUSED, f"见证方的回答中没有其密钥的有效副署：{answer.strip()[:200]}")


SPLIT = "见证方拒绝：此检查点与其此前副署的记录不一致，日志可能被改写或出现分叉"


def _remembered_size(witness: keys.Witness, checkpoint: LogCheckpoint, text: str, cosigned: int) -> int:
    """A 409 with text/x.tlog.size: the size the witness last cosigned, which must lie between what
    it cosigned for us before and this checkpoint."""
    try:
        size = tlog.parse_size(text.strip(), "the witness's size")
    except tlog.TlogError:
        raise Answer(Outcome.REFUSED, f"见证方回答 409，但没有给出有效的记录数：{text[:100]}") from None
    if size > checkpoint.size:
        raise Answer(Outcome.INCONSISTENT, f"见证方已副署过 {size} 条记录的日志，而本日志只有 {checkpoint.size} 条："
                                           f"日志被截断或出现分叉")
    if size < cosigned:
        raise Answer(Outcome.REFUSED, f"见证方说它只记得 {size} 条记录，但它曾为本日志副署过 {cosigned} 条："
                                      f"见证方可能丢失了状态文件，请联系见证方恢复后再请求副署")
    return size


def ask(witness: keys.Witness, checkpoint: LogCheckpoint) -> None:
    """One witness, one checkpoint; raises Answer for anything but a verified cosignature."""
    cosigned = old = last_cosigned_size(witness)
    status, ctype, text = _request(witness, checkpoint, old)
    if status == 409 and ctype == SIZE_TYPE:  # the witness remembers another size: prove from there
        old = _remembered_size(witness, checkpoint, text, cosigned)
        status, ctype, text = _request(witness, checkpoint, old)
        if status == 409 and ctype == SIZE_TYPE:
            raise Answer(Outcome.REFUSED, "见证方记得的记录数在两次请求之间变了（另有副署请求同时进行）：稍后再请求")
    if status in (409, 422):  # 409 without a size: same size, other root (the spec); 422: no consistency
        raise Answer(Outcome.INCONSISTENT, f"{SPLIT}（HTTP {status}：{text.strip()[:300]}）")
    if status != 200:
        raise Answer(Outcome.REFUSED, f"见证方拒绝（HTTP {status}）：{text.strip()[:300]}")
    line, timestamp = _cosignature(witness, checkpoint, text)
    try:
        with transaction.atomic():
            Cosignature.objects.create(checkpoint=checkpoint, witness=witness.name, line=line,
                                       cosigned_at=dt.datetime.fromtimestamp(timestamp, tz=dt.timezone.utc))
    except IntegrityError:
        pass  # cosigned already (two runs at once): the first line is kept


def cosign_latest() -> dict[str, str]:
    """Ask every configured witness that has not cosigned the latest checkpoint; returns each
    witness's outcome. A witness that is down costs its timeout, nothing more."""
    checkpoint = latest_checkpoint()
    outcomes: dict[str, str] = {}
    if checkpoint is None:
        return outcomes
    done = set(checkpoint.cosignatures.values_list("witness", flat=True))
    for witness in keys.witnesses():
        if witness.name in done:
            continue
        try:
            ask(witness, checkpoint)
        except Answer as answer:
            outcome, message = answer.outcome, str(answer)
            log = logger.error if outcome == Outcome.INCONSISTENT else logger.warning
            log("witness %s on checkpoint %s: %s", witness.name, checkpoint.size, message)
        else:
            outcome, message = Outcome.COSIGNED, ""
        WitnessAttempt.objects.create(witness=witness.name, checkpoint=checkpoint, outcome=outcome,
                                      message=message[:500], at=timezone.now())
        outcomes[witness.name] = outcome
    return outcomes
