"""What the verify page shows of the log: the fund's key, the latest checkpoint, and for each
configured witness whether it cosigned that checkpoint (or why not), with any refusal of an
inconsistent checkpoint — a split — shown first."""
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Max

from ..models import Cosignature, LogCheckpoint, WitnessAttempt
from . import keys
from .checks import split_alarms
from .log import log_size
from .proofs import latest_checkpoint, public_note


@dataclass
class WitnessState:
    name: str
    vkey: str
    cosignature: Cosignature | None
    last_attempt: WitnessAttempt | None


@dataclass
class LogStatus:
    origin: str
    vkey: str | None
    size: int
    checkpoint: LogCheckpoint | None
    note: str
    witnesses: list[WitnessState] = field(default_factory=list)
    alarms: list[WitnessAttempt] = field(default_factory=list)
    retired_vkeys: list[str] = field(default_factory=list)  # proofs made before a rotation check with these

    @property
    def cosigners(self) -> list[str]:
        return [witness.name for witness in self.witnesses if witness.cosignature]

    @property
    def witness_args(self) -> str:
        """The verifier's options naming every witness: each must have cosigned (its default quorum)."""
        return "".join(f" --witness {witness.vkey}" for witness in self.witnesses)

    @property
    def missing(self) -> list[WitnessState]:
        return [witness for witness in self.witnesses if not witness.cosignature]


def log_status() -> LogStatus:
    checkpoint = latest_checkpoint()
    verifier = keys.log_verifier()
    status = LogStatus(settings.TLOG_ORIGIN, verifier.vkey if verifier else None, log_size(), checkpoint,
                       public_note(checkpoint) if checkpoint else "", alarms=split_alarms(),
                       retired_vkeys=list(settings.TLOG_RETIRED_KEYS))
    cosigned = {c.witness: c for c in checkpoint.cosignatures.all()} if checkpoint else {}
    witnesses = keys.witnesses()
    last_attempts: dict[str, WitnessAttempt] = {}
    if checkpoint:  # each witness's latest attempt on this checkpoint (attempts are only appended: the highest id)
        latest = (WitnessAttempt.objects.filter(witness__in=[w.name for w in witnesses], checkpoint=checkpoint)
                  .values("witness").annotate(last=Max("id")).values("last"))
        last_attempts = {attempt.witness: attempt for attempt in WitnessAttempt.objects.filter(pk__in=latest)}
    for witness in witnesses:
        status.witnesses.append(WitnessState(witness.name, witness.verifier.vkey, cosigned.get(witness.name),
                                             last_attempts.get(witness.name)))
    return status
