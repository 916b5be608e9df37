"""Asking the witnesses to cosign (c2sp.org/tlog-witness, POST <url>/add-checkpoint), and keeping
what they answered. Each witness is sent the latest checkpoint with a consistency proof from the size
it last cosigned; one that remembers another size says so (409) and is sent the proof from there.
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
from .proofs import consistency_proof, latest_checkpoint

logger = logging.getLogger(__name__)
Outcome = WitnessAttempt.Outcome
MAX_ANSWER = 64 * 1024


class Answer(Exception):
    def __init__(self, outcome: str, message: str):
        super().__init__(message)
        self.outcome = outcome


def _exchange(witness: keys.Witness, body: str) -> tuple[int, str]:
    request = urllib.request.Request(f"{witness.url}/add-checkpoint", data=body.encode("utf-8"), method="POST",
                                     headers={"Content-Type": "text/plain; charset=utf-8"})
    try:
        with urllib.request.urlopen(request, timeout=settings.TLOG_WITNESS_TIMEOUT) as response:
            return response.status, response.read(MAX_ANSWER).decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(MAX_ANSWER).decode("utf-8", "replace")
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise Answer(Outcome.UNREACHABLE, f"无法连接见证方：{reason}") from None


def _post(witness: keys.Witness, body: str) -> tuple[int, str]:
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
    return (Cosignature.objects.filter(witness=witness.name).order_by("-checkpoint__size")
            .values_list("checkpoint__size", flat=True).first()) or 0


def _request(witness: keys.Witness, checkpoint: LogCheckpoint, old: int) -> tuple[int, str]:
    proof = consistency_proof(old, checkpoint.size) if 0 < old < checkpoint.size else []
    return _post(witness, tlog.format_add_checkpoint(old, proof, checkpoint.note))


def _cosignature(witness: keys.Witness, checkpoint: LogCheckpoint, answer: str) -> tuple[str, int]:
    """The witness's cosignature line, checked against its key: (line, timestamp)."""
    line = answer if answer.endswith("\n") else answer + "\n"
    try:
        opened = tlog.open_note(checkpoint.note + line, [witness.verifier])
    except tlog.TlogError as exc:
        raise Answer(Outcome.REFUSED, f"见证方的回答不是其密钥的有效副署：{exc}") from None
    if witness.verifier not in opened.verified or line.count("\n") != 1:
        raise Answer(Outcome.REFUSED, "见证方的回答不是一行有效的副署")
    return line, opened.verified[witness.verifier]


def ask(witness: keys.Witness, checkpoint: LogCheckpoint) -> None:
    """One witness, one checkpoint; raises Answer for anything but a verified cosignature."""
    old = last_cosigned_size(witness)
    status, text = _request(witness, checkpoint, old)
    if status == 409:  # the witness remembers another size: prove from there
        try:
            old = tlog.parse_size(text.strip(), "the witness's size")
        except tlog.TlogError:
            raise Answer(Outcome.REFUSED, f"见证方回答 409，但没有给出有效的记录数：{text[:100]}") from None
        if old > checkpoint.size:
            raise Answer(Outcome.INCONSISTENT, f"见证方已副署过 {old} 条记录的日志，而本日志只有 {checkpoint.size} 条："
                                               f"日志被截断或出现分叉")
        status, text = _request(witness, checkpoint, old)
    if status == 422:
        raise Answer(Outcome.INCONSISTENT, f"见证方拒绝：此检查点与其此前副署的记录不一致，日志可能被改写或出现分叉"
                                           f"（{text.strip()[:300]}）")
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
