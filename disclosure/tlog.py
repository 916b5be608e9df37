"""The fund's transparency log, checkable without trusting the operator: a Merkle tree hashed as in
RFC 6962 (section 2.1; the proof checks of RFC 9162 2.1.3.2 and 2.1.4.2), checkpoints as signed
notes (c2sp.org/signed-note, c2sp.org/tlog-checkpoint), witness cosignatures
(c2sp.org/tlog-cosignature, Ed25519 cosignature/v1), self-contained proofs (c2sp.org/tlog-proof)
and the witness request body (c2sp.org/tlog-witness add-checkpoint).

Standard library and `cryptography` only, nothing from Django or the project: the offline verifier
ships this very file. Errors are TlogError subclasses with English messages for programmers; the
portal words them for the public."""
import base64
import binascii
import hashlib
import struct
from dataclasses import dataclass, field
from typing import Callable, Iterable, Sequence

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()  # RFC 6962: the hash of an empty list is that of ""
ED25519 = 0x01  # signed-note signature types
COSIGNATURE_V1 = 0x04
PROOF_HEADER = "c2sp.org/tlog-proof@v1"
MAX_SIGNATURES = 100  # the spec asks for at least 16; Go's note package stops at 100
MAX_INT = 2**63 - 1  # sizes, indexes and timestamps fit a signed 64-bit integer

# A reader answers the hash of a complete subtree: reader(level, index) covers the leaves
# [index * 2**level, (index + 1) * 2**level). The portal reads stored node hashes; memory_reader
# builds one from a list of leaf hashes.
Reader = Callable[[int, int], bytes]


class TlogError(ValueError):
    """The record cannot be trusted as given."""


class MalformedError(TlogError):
    """Text or key not in the format its specification sets."""


class ProofError(TlogError):
    """Hashes do not add up: a proof, a root or a size does not match."""


class SignatureError(TlogError):
    """A trusted key's signature fails: the whole note is refused (signed-note)."""


class UnverifiedError(TlogError):
    """No signature by a trusted key; `unknown` lists the signatures seen, by unknown keys."""

    def __init__(self, message: str, unknown: Sequence["Signature"] = ()):
        super().__init__(message)
        self.unknown = list(unknown)


# --- Merkle tree (RFC 6962 section 2.1) ---

def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than n (n > 1): where RFC 6962 splits a list."""
    return 1 << ((n - 1).bit_length() - 1)


def _check_sizes(*hashes: bytes) -> None:
    if any(len(h) != HASH_SIZE for h in hashes):
        raise ProofError("a hash in the proof, or a root or leaf hash, is not 32 bytes")


def memory_reader(leaf_hashes: Sequence[bytes]) -> Reader:
    """Every complete subtree's hash, computed once: what the portal stores by (level, index)."""
    levels = [list(leaf_hashes)]
    while len(levels[-1]) > 1:
        below = levels[-1]
        levels.append([node_hash(below[i], below[i + 1]) for i in range(0, len(below) - 1, 2)])
    return lambda level, index: levels[level][index]


def new_nodes(read: Reader, index: int, leaf: bytes) -> list[tuple[int, int, bytes]]:
    """The (level, index, hash) rows to store once leaf `index` is appended: its own and those of
    the subtrees it completes. `read` must answer the earlier ones."""
    rows, level, node, h = [(0, index, leaf)], 0, index, leaf
    while node & 1:
        h = node_hash(read(level, node - 1), h)
        level, node = level + 1, node >> 1
        rows.append((level, node, h))
    return rows


def range_root(read: Reader, start: int, end: int) -> bytes:
    """MTH of leaves [start, end), for ranges RFC 6962's recursion makes (start aligned)."""
    n = end - start
    if n <= 0:
        return EMPTY_ROOT
    if n & (n - 1) == 0 and start % n == 0:
        return read(n.bit_length() - 1, start // n)
    k = _split(n)
    return node_hash(range_root(read, start, start + k), range_root(read, start + k, end))


def tree_root(leaf_hashes: Sequence[bytes]) -> bytes:
    return range_root(memory_reader(leaf_hashes), 0, len(leaf_hashes)) if leaf_hashes else EMPTY_ROOT


def inclusion_proof(read: Reader, index: int, size: int) -> list[bytes]:
    """RFC 6962 PATH(index, D[size]): the leaf's sibling first, the root's child last."""
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is not in a tree of size {size}")
    path, start, end = [], 0, size
    while end - start > 1:
        k = _split(end - start)
        if index < start + k:
            path.append(range_root(read, start + k, end))
            end = start + k
        else:
            path.append(range_root(read, start, start + k))
            start += k
    return path[::-1]


def consistency_proof(read: Reader, size1: int, size2: int) -> list[bytes]:
    """RFC 6962 PROOF(size1, D[size2]), for 0 < size1 <= size2."""
    if not 0 < size1 <= size2:
        raise ProofError(f"no consistency proof from size {size1} to size {size2}")
    path, start, end, m, whole = [], 0, size2, size1, True
    while m != end - start:
        k = _split(end - start)
        if m <= k:
            path.append(range_root(read, start + k, end))
            end = start + k
        else:
            path.append(range_root(read, start, start + k))
            start, m, whole = start + k, m - k, False
    if not whole:
        path.append(range_root(read, start, end))
    return path[::-1]


def verify_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes) -> None:
    """RFC 9162 section 2.1.3.2; raises ProofError unless the leaf is at index in that tree."""
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is not in a tree of size {size}")
    _check_sizes(leaf, root, *proof)
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise ProofError("the inclusion proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofError("the inclusion proof is shorter than the tree is deep")
    if r != root:
        raise ProofError(f"leaf {index} is not in the tree of size {size} with this root")


def verify_consistency(size1: int, size2: int, proof: Sequence[bytes], root1: bytes, root2: bytes) -> None:
    """RFC 9162 section 2.1.4.2; raises ProofError unless tree 2 extends tree 1 (0 < size1)."""
    if not 0 < size1 <= size2:
        raise ProofError(f"no consistency proof from size {size1} to size {size2}")
    if size1 == size2:
        if proof or root1 != root2:
            raise ProofError("two trees of the same size must have the same root and an empty proof")
        return
    _check_sizes(root1, root2, *proof)
    path = list(proof)
    if size1 & (size1 - 1) == 0:
        path.insert(0, root1)
    if not path:
        raise ProofError("the consistency proof is empty")
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise ProofError("the consistency proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0 or fr != root1 or sr != root2:
        raise ProofError(f"the tree of size {size2} does not extend the tree of size {size1}")


# --- Keys and signed notes (c2sp.org/signed-note) ---

def b64decode(text: str, what: str) -> bytes:
    """Standard base64, canonical only: one text per value, so one signed text per checkpoint."""
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise MalformedError(f"{what} is not base64") from None
    if base64.b64encode(data).decode() != text:
        raise MalformedError(f"{what} is not canonical base64")
    return data


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def check_name(name: str) -> None:
    if not name or "+" in name or any(c.isspace() or c < " " for c in name):
        raise MalformedError(f"key name {name!r} is empty or holds a space or a plus sign")


def key_id(name: str, sig_type: int, public: bytes) -> int:
    return struct.unpack(">I", hashlib.sha256(name.encode() + b"\n" + bytes([sig_type]) + public).digest()[:4])[0]


@dataclass(frozen=True)
class Verifier:
    """A trusted key: a log's (ED25519) or a witness's (COSIGNATURE_V1)."""
    name: str
    sig_type: int
    public: bytes

    @property
    def key_id(self) -> int:
        return key_id(self.name, self.sig_type, self.public)

    @property
    def vkey(self) -> str:
        return f"{self.name}+{self.key_id:08x}+{b64(bytes([self.sig_type]) + self.public)}"


@dataclass(frozen=True)
class Signer:
    name: str
    private: Ed25519PrivateKey = field(repr=False)

    def verifier(self, sig_type: int = ED25519) -> Verifier:
        return Verifier(self.name, sig_type, self.private.public_key().public_bytes_raw())

    @property
    def skey(self) -> str:
        kid = self.verifier().key_id
        return f"PRIVATE+KEY+{self.name}+{kid:08x}+{b64(bytes([ED25519]) + self.private.private_bytes_raw())}"


def _key_parts(text: str, what: str) -> tuple[str, int, int, bytes]:
    name, _, rest = text.partition("+")
    kid, _, material = rest.partition("+")
    check_name(name)
    if len(kid) != 8 or kid.strip("0123456789abcdef"):
        raise MalformedError(f"{what} key ID {kid!r} is not 8 lowercase hex digits")
    data = b64decode(material, f"the key material of the {what}")
    if len(data) != 33 or data[0] not in (ED25519, COSIGNATURE_V1):
        raise MalformedError(f"{what} is not an Ed25519 key (type 0x01 or 0x04, 32 bytes)")
    return name, int(kid, 16), data[0], data[1:]


def parse_vkey(vkey: str) -> Verifier:
    """`name+hex(id)+base64(type || public key)`; the ID must be the key's own."""
    name, kid, sig_type, public = _key_parts(vkey, "verifier key")
    verifier = Verifier(name, sig_type, public)
    if verifier.key_id != kid:
        raise MalformedError(f"verifier key {name}: the key ID does not match the key")
    return verifier


def parse_skey(skey: str) -> Signer:
    """`PRIVATE+KEY+name+hex(id)+base64(0x01 || seed)`, as Go's note.GenerateKey writes it."""
    if not skey.startswith("PRIVATE+KEY+"):
        raise MalformedError("a signer key starts with PRIVATE+KEY+")
    name, kid, sig_type, seed = _key_parts(skey[len("PRIVATE+KEY+"):], "signer key")
    signer = Signer(name, Ed25519PrivateKey.from_private_bytes(seed))
    if signer.verifier(sig_type).key_id != kid:
        raise MalformedError(f"signer key {name}: the key ID does not match the key")
    return signer


def generate_signer(name: str) -> Signer:
    check_name(name)
    return Signer(name, Ed25519PrivateKey.generate())


@dataclass(frozen=True)
class Signature:
    name: str
    key_id: int
    sig: bytes  # after the 4-byte key ID

    @property
    def line(self) -> str:
        return f"— {self.name} {b64(struct.pack('>I', self.key_id) + self.sig)}\n"


@dataclass(frozen=True)
class Note:
    text: str
    sigs: tuple[Signature, ...]

    def __str__(self) -> str:
        return self.text + "\n" + "".join(s.line for s in self.sigs)


def _check_text(text: str, what: str) -> None:
    if any(c < " " and c != "\n" for c in text):
        raise MalformedError(f"{what} holds a control character")


def parse_note(msg: str | bytes) -> Note:
    """Splits a note at its last blank line, without checking any signature."""
    if isinstance(msg, bytes):
        try:
            msg = msg.decode("utf-8")
        except UnicodeDecodeError:
            raise MalformedError("the note is not UTF-8") from None
    _check_text(msg, "the note")
    split = msg.rfind("\n\n")
    if split < 0 or not msg.endswith("\n") or split + 2 == len(msg):
        raise MalformedError("a note is text, a blank line, then signature lines")
    text, lines = msg[:split + 1], msg[split + 2:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise MalformedError(f"the note has more than {MAX_SIGNATURES} signatures")
    sigs = []
    for line in lines:
        if not line.startswith("— "):
            raise MalformedError(f"signature line {line!r} does not start with an em dash and a space")
        name, _, encoded = line[2:].partition(" ")
        check_name(name)
        raw = b64decode(encoded, f"the signature by {name}")
        if len(raw) < 5:
            raise MalformedError(f"the signature by {name} is too short")
        sigs.append(Signature(name, struct.unpack(">I", raw[:4])[0], raw[4:]))
    return Note(text, tuple(sigs))


def _cosigned_message(text: str, timestamp: int) -> bytes:
    return f"cosignature/v1\ntime {timestamp}\n{text}".encode()


def sign(text: str, signer: Signer) -> Signature:
    """The log's Ed25519 signature over a note text (a checkpoint)."""
    if not text.endswith("\n"):
        raise MalformedError("a note text ends with a newline")
    _check_text(text, "the note text")
    return Signature(signer.name, signer.verifier().key_id, signer.private.sign(text.encode()))


def cosign(text: str, signer: Signer, timestamp: int) -> Signature:
    """A witness's cosignature/v1 over a checkpoint text, at a POSIX time."""
    parse_checkpoint(text)
    if not 0 < timestamp <= MAX_INT:
        raise MalformedError(f"cosignature timestamp {timestamp} is out of range")
    sig = signer.private.sign(_cosigned_message(text, timestamp))
    return Signature(signer.name, signer.verifier(COSIGNATURE_V1).key_id, struct.pack(">Q", timestamp) + sig)


@dataclass
class Opened:
    """A note whose trusted signatures all verified: `verified` maps each key to its cosignature
    timestamp (None for a plain signature); `unknown` lists signatures by keys not trusted."""
    text: str
    verified: dict[Verifier, int | None]
    unknown: list[Signature]


def _check(verifier: Verifier, text: str, sig: bytes) -> int | None:
    public = Ed25519PublicKey.from_public_bytes(verifier.public)
    timestamp, message = None, text.encode()
    if verifier.sig_type == COSIGNATURE_V1:
        if len(sig) != 72:
            raise SignatureError(f"the cosignature by {verifier.name} is not 8 + 64 bytes")
        (timestamp,), sig = struct.unpack(">Q", sig[:8]), sig[8:]
        if timestamp > MAX_INT:
            raise SignatureError(f"the cosignature by {verifier.name} has a timestamp past 2^63 - 1")
        message = _cosigned_message(text, timestamp)
    try:
        public.verify(sig, message)
    except InvalidSignature:
        raise SignatureError(f"the signature by {verifier.name}+{verifier.key_id:08x} does not verify") from None
    return timestamp


def open_note(msg: str | bytes, trusted: Iterable[Verifier]) -> Opened:
    """Checks every signature by a trusted key (name and ID both match); others are only listed.
    Refuses the note if a trusted signature fails, or if none is there."""
    keys: dict[tuple[str, int], Verifier] = {}
    for v in trusted:
        if keys.setdefault((v.name, v.key_id), v) != v:
            raise MalformedError(f"two trusted keys share the name and ID {v.name}+{v.key_id:08x}")
    note = parse_note(msg)
    opened = Opened(note.text, {}, [])
    for s in note.sigs:
        verifier = keys.get((s.name, s.key_id))
        if verifier is None:
            if s not in opened.unknown:
                opened.unknown.append(s)
        else:  # every line by a trusted key is checked, a repeated one too (c2sp.org/signed-note)
            opened.verified.setdefault(verifier, _check(verifier, note.text, s.sig))
    if not opened.verified:
        names = ", ".join(f"{s.name}+{s.key_id:08x}" for s in opened.unknown)
        raise UnverifiedError(f"the note has no signature by a trusted key (only by: {names})", opened.unknown)
    return opened


# --- Checkpoints (c2sp.org/tlog-checkpoint) ---

@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        lines = [self.origin, str(self.size), b64(self.root), *self.extensions]
        for line in lines:
            _check_text(line, "a checkpoint line")
            if not line or "\n" in line:
                raise MalformedError("checkpoint lines are non-empty and single")
        if not 0 <= self.size <= MAX_INT or len(self.root) != HASH_SIZE:
            raise MalformedError("a checkpoint has a size in 0 .. 2^63 - 1 and a 32-byte root hash")
        return "\n".join(lines) + "\n"


def parse_size(text: str, what: str) -> int:
    """ASCII decimal, no sign, no leading zero."""
    if not text.isascii() or not text.isdigit() or (text != "0" and text.startswith("0")):
        raise MalformedError(f"{what} {text!r} is not a decimal number without leading zeros")
    value = int(text)
    if value > MAX_INT:
        raise MalformedError(f"{what} {text} is too large")
    return value


def parse_checkpoint(text: str) -> Checkpoint:
    """The note text of a checkpoint: origin, tree size, base64 root hash, extension lines."""
    lines = text.split("\n")
    if len(lines) < 4 or lines[-1] != "" or "" in lines[:-1]:
        raise MalformedError("a checkpoint is at least three non-empty lines, each ending in a newline")
    _check_text(text, "the checkpoint")
    root = b64decode(lines[2], "the checkpoint root hash")
    if len(root) != HASH_SIZE:
        raise MalformedError("the checkpoint root hash is not 32 bytes")
    return Checkpoint(lines[0], parse_size(lines[1], "the tree size"), root, tuple(lines[3:-1]))


def check_empty_root(cp: Checkpoint) -> None:
    if cp.size == 0 and cp.root != EMPTY_ROOT:
        raise ProofError("an empty tree's root hash is the SHA-256 of the empty string")


@dataclass
class Checked:
    """A checkpoint signed by its log, with the witnesses' cosignature times by witness name."""
    checkpoint: Checkpoint
    note: str
    cosigned: dict[str, int]


def verify_checkpoint(note: str, origin: str, log_keys: Iterable[Verifier],
                      witness_keys: Iterable[Verifier] = (), quorum: int = 0) -> Checked:
    """The log's signature, then at least `quorum` witness cosignatures (every one checked)."""
    log_keys, witness_keys = list(log_keys), list(witness_keys)
    if any(k.sig_type != ED25519 for k in log_keys) or any(k.sig_type != COSIGNATURE_V1 for k in witness_keys):
        raise MalformedError("log keys are of type 0x01 and witness keys of type 0x04")
    opened = open_note(note, log_keys + witness_keys)
    cp = parse_checkpoint(opened.text)
    if cp.origin != origin:
        raise UnverifiedError(f"the checkpoint is from {cp.origin!r}, not from {origin!r}")
    if not any(k in opened.verified for k in log_keys):
        raise UnverifiedError(f"the checkpoint has no signature by the log {origin!r}", opened.unknown)
    check_empty_root(cp)
    cosigned = {k.name: t for k, t in opened.verified.items() if k.sig_type == COSIGNATURE_V1}
    if len(cosigned) < quorum:
        raise UnverifiedError(f"{len(cosigned)} known witnesses cosigned the checkpoint, {quorum} needed",
                              opened.unknown)
    return Checked(cp, note, cosigned)


# --- Proofs (c2sp.org/tlog-proof) and the witness request (c2sp.org/tlog-witness) ---

@dataclass(frozen=True)
class TlogProof:
    index: int
    hashes: tuple[bytes, ...]
    checkpoint: str  # the signed note, verbatim
    extra: bytes | None = None

    def __str__(self) -> str:
        head = [PROOF_HEADER] + ([f"extra {b64(self.extra)}"] if self.extra is not None else [])
        lines = head + [f"index {self.index}"] + [b64(h) for h in self.hashes]
        return "\n".join(lines) + "\n\n" + self.checkpoint


def _hash_lines(lines: list[str], what: str) -> tuple[bytes, ...]:
    hashes = tuple(b64decode(line, what) for line in lines)
    if any(len(h) != HASH_SIZE for h in hashes):
        raise MalformedError(f"{what} is not 32 bytes")
    return hashes


def parse_proof(text: str) -> TlogProof:
    head, sep, checkpoint = text.partition("\n\n")
    lines = head.split("\n")
    if not sep or lines[0] != PROOF_HEADER:
        raise MalformedError(f"a proof starts with the line {PROOF_HEADER} and has a blank line before its checkpoint")
    extra, rest = None, lines[1:]
    if rest and rest[0].startswith("extra "):
        extra, rest = b64decode(rest[0][len("extra "):], "the extra data"), rest[1:]
    if not rest or not rest[0].startswith("index "):
        raise MalformedError("a proof has an index line")
    index = parse_size(rest[0][len("index "):], "the index")
    return TlogProof(index, _hash_lines(rest[1:], "an inclusion proof hash"), checkpoint, extra)


def verify_proof(text: str, leaf: bytes, origin: str, log_keys: Iterable[Verifier],
                 witness_keys: Iterable[Verifier] = (), quorum: int = 0) -> Checked:
    """The tlog-proof steps: the checkpoint's signatures, the cosignatures, then the inclusion."""
    proof = parse_proof(text)
    checked = verify_checkpoint(proof.checkpoint, origin, log_keys, witness_keys, quorum)
    verify_inclusion(leaf, proof.index, checked.checkpoint.size, proof.hashes, checked.checkpoint.root)
    return checked


def format_add_checkpoint(old_size: int, proof: Sequence[bytes], note: str) -> str:
    """The body of POST <witness>/add-checkpoint."""
    return "".join([f"old {old_size}\n", *(b64(h) + "\n" for h in proof), "\n", note])


def parse_add_checkpoint(body: str) -> tuple[int, tuple[bytes, ...], str]:
    head, sep, note = body.partition("\n\n")
    lines = head.split("\n")
    if not sep or not lines[0].startswith("old "):
        raise MalformedError("the body is an old size line, proof lines, a blank line and a checkpoint")
    if len(lines) > 64:
        raise MalformedError("a consistency proof has at most 63 hashes")
    return parse_size(lines[0][4:], "the old size"), _hash_lines(lines[1:], "a consistency proof hash"), note


# --- The offline verifier: python3 tlog.py {checkpoint,proof,log} … (the portal serves this file) ---

def _read(path: str) -> str:
    """A downloaded note or proof; a copy saved with Windows line ends reads as the original (a
    signed text never holds a carriage return)."""
    with open(path, encoding="utf-8", newline="") as f:
        return f.read().replace("\r\n", "\n")


def _entries(path: str) -> list[bytes]:
    """A log's entries file: one leaf a line, its text in base64."""
    with open(path, encoding="ascii") as f:
        return [b64decode(line.rstrip("\r\n"), f"entry {n}") for n, line in enumerate(f) if line.strip()]


def _cli_checkpoint(args) -> str:
    checked = verify_checkpoint(_read(args.file), args.origin, args.keys, args.witnesses, args.quorum)
    return f"checkpoint: {checked.checkpoint.size} entries, root {b64(checked.checkpoint.root)}{_cosigners(checked)}"


def _cosigners(checked: "Checked") -> str:
    names = ", ".join(sorted(checked.cosigned)) or "none of the witnesses given"
    return f"\ncosigned by: {names}"


def _cli_proof(args) -> str:
    text = _read(args.file)
    leaf = open(args.leaf, "rb").read() if args.leaf else parse_proof(text).extra
    if leaf is None:
        raise MalformedError("the proof has no extra data: give the entry with --leaf")
    checked = verify_proof(text, leaf_hash(leaf), args.origin, args.keys, args.witnesses, args.quorum)
    return (f"entry {parse_proof(text).index} is in the log of {checked.checkpoint.size} entries"
            f"{_cosigners(checked)}\nentry: {leaf.decode('utf-8', 'replace')}")


def _cli_log(args) -> str:
    checked = verify_checkpoint(_read(args.checkpoint), args.origin, args.keys, args.witnesses, args.quorum)
    leaves = [leaf_hash(entry) for entry in _entries(args.entries)]
    cp = checked.checkpoint
    if len(leaves) != cp.size:
        raise ProofError(f"the entries file has {len(leaves)} entries, the checkpoint {cp.size}: "
                         f"{'truncated' if len(leaves) < cp.size else 'entries the checkpoint does not sign'}")
    read = memory_reader(leaves) if leaves else None
    if (range_root(read, 0, cp.size) if cp.size else EMPTY_ROOT) != cp.root:
        raise ProofError(f"the first {cp.size} entries do not hash to the checkpoint's root: "
                         f"changed, reordered or missing entries")
    lines = [f"log: all {cp.size} entries hash to the signed root {b64(cp.root)}{_cosigners(checked)}"]
    if args.previous:  # a checkpoint saved earlier: the log must extend it
        old = verify_checkpoint(_read(args.previous), args.origin, args.keys).checkpoint
        if old.size > cp.size or (old.size and range_root(read, 0, old.size) != old.root):
            raise ProofError(f"the log does not extend the earlier checkpoint of {old.size} entries: rewritten")
        lines.append(f"extends the earlier checkpoint of {old.size} entries")
    return "\n".join(lines)


def main(argv=None) -> int:
    import argparse
    import sys

    parser = argparse.ArgumentParser(
        prog="fund_log_verify.py",
        description="Check the fund's transparency log offline (校验基金透明日志): a checkpoint's "
                    "signatures, a .tlog-proof, or every entry of the log.")
    sub = parser.add_subparsers(dest="command", required=True)
    checkpoint = sub.add_parser("checkpoint", help="a checkpoint's signature and cosignatures")
    checkpoint.add_argument("file")
    proof = sub.add_parser("proof", help="a .tlog-proof (the entry from its extra data, or --leaf)")
    proof.add_argument("file")
    proof.add_argument("--leaf", help="file holding the entry's exact bytes")
    log = sub.add_parser("log", help="every entry against a checkpoint")
    log.add_argument("entries", help="the log's entries file (one base64 entry a line)")
    log.add_argument("checkpoint")
    log.add_argument("--previous", help="a checkpoint saved earlier, which the log must extend")
    for p in (checkpoint, proof, log):
        p.add_argument("--origin", required=True, help="the log's name, as on the verify page")
        p.add_argument("--key", dest="keys", action="append", required=True, type=parse_vkey,
                       help="the log's public key (vkey), as on the verify page; repeat for retired keys")
        p.add_argument("--witness", dest="witnesses", action="append", default=[], type=parse_vkey,
                       help="a witness's public key (vkey); every one given is checked")
        p.add_argument("--quorum", type=int, default=None,
                       help="how many of those witnesses must have cosigned (default: all of them)")
    args = parser.parse_args(argv)
    if args.quorum is None:  # every witness named must have cosigned, unless told otherwise
        args.quorum = len(args.witnesses)
    run = {"checkpoint": _cli_checkpoint, "proof": _cli_proof, "log": _cli_log}[args.command]
    try:
        print("OK 校验通过: " + run(args))
    except (TlogError, OSError) as e:
        print(f"FAILED 校验未通过: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
