"""The keys the log is signed and checked with: the fund's, read from its secret file (or its public
key from settings, on a server that only verifies), and the witnesses', from settings. Nothing here
reads the database: whoever can change the database cannot change what the log is checked against."""
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from .. import tlog


class KeyMissing(Exception):
    """The fund's signing key is not where settings say, or is not the log's key (message in Chinese)."""


def log_signer() -> tlog.Signer:
    """The fund's signer, read from TLOG_SIGNING_KEY_FILE each time (a rotated file takes effect at once)."""
    path = Path(settings.TLOG_SIGNING_KEY_FILE)
    try:
        text = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        raise KeyMissing(f"透明日志签名密钥文件 {path} 不存在：请用 manage.py tlog keygen 生成，"
                         f"或在 TLOG_SIGNING_KEY_FILE 指明密钥文件") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise KeyMissing(f"透明日志签名密钥文件 {path} 无法读取：{exc.__class__.__name__}") from None
    try:
        signer = tlog.parse_skey(text)
    except tlog.TlogError:
        raise KeyMissing(f"透明日志签名密钥文件 {path} 的格式不对（应为一行 PRIVATE+KEY+…）") from None
    if signer.name != settings.TLOG_ORIGIN:
        raise KeyMissing(f"签名密钥的名称“{signer.name}”与日志名称 TLOG_ORIGIN“{settings.TLOG_ORIGIN}”不符")
    return signer


def log_verifier() -> tlog.Verifier | None:
    """The fund's current public key: TLOG_PUBLIC_KEY if set, else the signing key's; None without either."""
    if settings.TLOG_PUBLIC_KEY:
        return tlog.parse_vkey(settings.TLOG_PUBLIC_KEY)
    try:
        return log_signer().verifier()
    except KeyMissing:
        return None


def log_verifiers() -> list[tlog.Verifier]:
    """Every key the log's checkpoints may be signed with: the current one and those retired by rotation."""
    current = log_verifier()
    return [*([current] if current else []), *(tlog.parse_vkey(vkey) for vkey in settings.TLOG_RETIRED_KEYS)]


@dataclass(frozen=True)
class Witness:
    url: str
    verifier: tlog.Verifier

    @property
    def name(self) -> str:
        return self.verifier.name


def witnesses() -> list[Witness]:
    """The configured witnesses, each "URL VKEY" (a cosignature/v1 key)."""
    found = []
    for item in settings.TLOG_WITNESSES:
        url, _, vkey = item.strip().partition(" ")
        verifier = tlog.parse_vkey(vkey.strip())
        if verifier.sig_type != tlog.COSIGNATURE_V1:
            raise ValueError(f"witness {verifier.name}: not a cosignature/v1 key")
        found.append(Witness(url.rstrip("/"), verifier))
    return found


def retired_witness_verifiers() -> list[tlog.Verifier]:
    """Witnesses taken off TLOG_WITNESSES (TLOG_RETIRED_WITNESSES): kept only to check what they cosigned."""
    return [tlog.parse_vkey(vkey) for vkey in settings.TLOG_RETIRED_WITNESSES]


def witness_quorum(configured: list[Witness]) -> int:
    """How many configured witnesses must cosign a checkpoint before a proof against it is called verified."""
    return max(0, min(settings.TLOG_WITNESS_QUORUM, len(configured)))


def key_file_write(path: Path, name: str) -> tlog.Signer:
    """A new signer key in a file readable by its owner only; never over an existing one."""
    signer = tlog.generate_signer(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(signer.skey + "\n")
    return signer
