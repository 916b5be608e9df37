"""A witness for the fund's transparency log (c2sp.org/tlog-witness): it cosigns a checkpoint only
if it extends the last one it cosigned for that log, so a log cannot show two histories to two
people. Standard library and `cryptography` only: anyone can run it next to tlog.py."""
import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
if os.path.exists(os.path.join(_HERE, "__init__.py")) and sys.path and os.path.abspath(sys.path[0] or ".") == _HERE:
    sys.path[0] = os.path.dirname(_HERE)  # run from the repo: disclosure/selectors.py would shadow the stdlib's

import argparse  # noqa: E402
import contextlib
import json
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

try:
    import fcntl
except ImportError:  # Windows: no lock between processes; run one witness process per state file
    fcntl = None

try:
    from disclosure import tlog
except ImportError:  # copied side by side with tlog.py
    import tlog


class Refused(Exception):
    """A refusal with its HTTP status; `body`/`ctype` override the plain message (409)."""

    def __init__(self, status: int, message: str, body: str | None = None, ctype: str = "text/plain"):
        super().__init__(message)
        self.status, self.body, self.ctype = status, body, ctype


def load_state(path: str) -> dict:
    """Per origin: the size, root (base64) and note of the last checkpoint cosigned. A state that
    cannot be read is never taken for "nothing seen": the witness refuses until it is restored."""
    try:
        with open(path, encoding="utf-8") as f:
            state = json.load(f)
    except FileNotFoundError:
        if os.path.exists(marker_path(path)):  # it cosigned before: the file was lost, not never made
            raise _broken_state(path, f"gone, though {marker_path(path)} says this witness has cosigned")
        return {}
    except (OSError, ValueError) as e:
        raise _broken_state(path, f"unreadable: {e}") from None
    if not isinstance(state, dict) or not all(
            isinstance(seen, dict) and type(seen.get("size")) is int and seen["size"] >= 0
            and _is_root(seen.get("root")) for seen in state.values()):
        raise _broken_state(path, "not a witness state (origin: size, root, note)")
    return state


def marker_path(path: str) -> str:
    """Made at the first save and never removed by the witness, it names every log the witness has
    cosigned: a state file missing beside it, or missing one of those logs, was lost or rolled back
    (whichever process wrote it). Deleting both is a deliberate fresh start."""
    return path + ".cosigned"


def marked_origins(path: str) -> set[str]:
    try:
        with open(marker_path(path), encoding="utf-8") as f:
            return {line.strip() for line in f if line.strip() and not line.startswith("#")}
    except FileNotFoundError:
        return set()


def _is_root(value) -> bool:
    try:
        return isinstance(value, str) and len(tlog.b64decode(value, "a root")) == tlog.HASH_SIZE
    except tlog.TlogError:
        return False


def _broken_state(path: str, why: str) -> "Refused":
    message = f"refused: the witness's state file {path} is {why}; restore it from a backup"
    print(f"BROKEN STATE FILE: {message}", file=sys.stderr, flush=True)
    return Refused(500, message)


@contextlib.contextmanager
def state_file_lock(path: str):
    """Check-then-save is one step for every process using this state file too (two `cosign` runs
    at once must not both cosign a different checkpoint of one size)."""
    if fcntl is None:
        yield
        return
    with open(path + ".lock", "a") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock.fileno(), fcntl.LOCK_UN)


def _write_atomically(path: str, text: str) -> None:
    """Temp file, fsync, rename, then the folder synced: a crash leaves the old file whole."""
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".witness-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        if hasattr(os, "O_DIRECTORY"):  # the rename itself survives a power cut
            dir_fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def save_state(path: str, state: dict) -> None:
    """The state, then the marker naming its logs, each written whole or not at all."""
    _write_atomically(path, json.dumps(state, indent=1, sort_keys=True))
    marked = marked_origins(path)
    if not os.path.exists(marker_path(path)) or set(state) - marked:
        _write_atomically(marker_path(path), "# the logs this witness has cosigned; its state file is beside this one\n"
                          + "".join(f"{origin}\n" for origin in sorted(marked | set(state))))


class Witness:
    """Keys, followed logs and the state file; `lock` (threads) and the state file's lock
    (processes) make check-then-save one step per request."""

    def __init__(self, state_path: str, signer: tlog.Signer, logs: dict[str, list[tlog.Verifier]]):
        self.state_path, self.signer, self.logs = state_path, signer, logs
        self.lock = threading.Lock()
        self.seen: dict[str, int] = {}  # per log, the largest size this process saw in the state

    @property
    def verifier(self) -> tlog.Verifier:
        return self.signer.verifier(tlog.COSIGNATURE_V1)

    def add_checkpoint(self, old_size: int, proof, note: str) -> str:
        """The add-checkpoint rules, in the spec's order; returns the cosignature line."""
        try:
            text = tlog.parse_note(note).text
            cp = tlog.parse_checkpoint(text)
        except tlog.TlogError as e:
            raise Refused(400, f"refused: malformed checkpoint: {e}")
        keys = self.logs.get(cp.origin)
        if keys is None:
            raise Refused(404, f"refused: unknown log origin {cp.origin!r}")
        try:
            opened = tlog.open_note(note, keys)
        except tlog.TlogError as e:
            raise Refused(403, f"refused: no valid signature by the log's key: {e}")
        if not any(k in opened.verified for k in keys):
            raise Refused(403, "refused: no valid signature by the log's key")
        if old_size > cp.size:
            raise Refused(400, f"refused: old size {old_size} is larger than the checkpoint size {cp.size}")
        with self.lock, state_file_lock(self.state_path):
            state = load_state(self.state_path)
            if cp.origin not in state and (cp.origin in self.seen or cp.origin in marked_origins(self.state_path)):
                raise _broken_state(self.state_path, f"missing the log {cp.origin!r} it has cosigned (rolled back?)")
            if state.get(cp.origin, {}).get("size", 0) < self.seen.get(cp.origin, 0):
                raise _broken_state(self.state_path, f"behind the size {self.seen[cp.origin]} this witness cosigned "
                                                     f"for {cp.origin!r} (an older copy restored?)")
            for origin, known in state.items():
                self.seen[origin] = max(self.seen.get(origin, 0), known["size"])
            seen = state.get(cp.origin, {"size": 0, "root": tlog.b64(tlog.EMPTY_ROOT)})
            if old_size != seen["size"]:
                raise Refused(409, f"refused: old size {old_size} is not the size last cosigned, {seen['size']}",
                              body=f"{seen['size']}\n", ctype="text/x.tlog.size")
            old_root = tlog.b64decode(seen["root"], "the stored root")
            if cp.size == old_size and cp.root != old_root:
                split_view(cp, seen)
            try:
                tlog.check_empty_root(cp)
                if old_size == 0:
                    if proof:
                        raise tlog.ProofError("a proof from size 0 must be empty")
                else:
                    tlog.verify_consistency(old_size, cp.size, proof, old_root, cp.root)
            except tlog.TlogError as e:
                message = (f"refused: checkpoint at size {cp.size} does not extend the one cosigned at size "
                           f"{old_size}: {e}")
                print(f"INCONSISTENT CHECKPOINT for {cp.origin!r}: {message}", file=sys.stderr, flush=True)
                raise Refused(422, message)
            line = tlog.cosign(text, self.signer, max(1, int(time.time()))).line
            state[cp.origin] = {"size": cp.size, "root": tlog.b64(cp.root), "note": note}
            save_state(self.state_path, state)
            self.seen[cp.origin] = cp.size
        return line


def split_view(cp, seen: dict) -> None:
    """Same size, other root: the log shows two histories. Say so loudly, then refuse — with 409
    Conflict, as c2sp.org/tlog-witness says (a plain-text body, not a text/x.tlog.size one)."""
    message = (f"refused: checkpoint at size {cp.size} has a different root than the one cosigned at "
               f"size {cp.size} — the log shows a split view")
    print(f"SPLIT VIEW for {cp.origin!r} at size {cp.size}: cosigned root {seen['root']}, "
          f"offered root {tlog.b64(cp.root)}", file=sys.stderr, flush=True)
    raise Refused(409, message)


def handle_body(witness: Witness, body: bytes) -> str:
    """Parses a request body and runs the rules; a Refused carries the answer otherwise."""
    try:
        old_size, proof, note = tlog.parse_add_checkpoint(body.decode("utf-8"))
    except (tlog.TlogError, UnicodeDecodeError) as e:
        raise Refused(400, f"refused: malformed request: {e}")
    return witness.add_checkpoint(old_size, proof, note)


def make_handler(witness: Witness):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as the spec recommends; every answer has a length
        timeout = 30  # seconds a connection may sit idle or half-sent before it is closed

        def do_POST(self):
            if self.path != "/add-checkpoint":
                return self.answer(404, "not found\n", close=True)
            try:
                length = int(self.headers.get("Content-Length") or 0)
            except ValueError:
                return self.answer(400, "refused: bad Content-Length\n", close=True)
            if length < 0 or length > 1 << 20:
                return self.answer(400, "refused: body too large\n", close=True)
            try:
                body = self.rfile.read(length)
            except OSError:  # the client stopped sending: nothing to answer
                self.close_connection = True
                return
            if len(body) < length:
                return self.answer(400, "refused: body shorter than its Content-Length\n", close=True)
            try:
                self.answer(200, handle_body(witness, body))
            except Refused as r:
                # a 409 with the witness's size is text/x.tlog.size; a split view's 409 is plain text
                self.answer(r.status, r.body if r.body is not None else f"{r}\n", r.ctype)

        def answer(self, status: int, text: str, ctype: str = "text/plain", close: bool = False):
            data = text.encode()
            self.send_response(status)
            self.send_header("Content-Type", ctype if ctype == "text/x.tlog.size" else f"{ctype}; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            if close:  # a body left unread would be taken for the next request
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            self.wfile.write(data)

    return Handler


def parse_logs(items: list[str]) -> dict[str, list[tlog.Verifier]]:
    """ORIGIN=VKEY, repeatable: a log may have more than one key."""
    logs: dict[str, list[tlog.Verifier]] = {}
    for item in items:
        origin, sep, vkey = item.rpartition("=")
        if not sep or not origin:
            raise SystemExit(f"--log {item!r}: expected ORIGIN=VKEY")
        logs.setdefault(origin, []).append(tlog.parse_vkey(vkey))
    return logs


def build_witness(args) -> Witness:
    with open(args.key, encoding="utf-8") as f:
        signer = tlog.parse_skey(f.read().strip())
    return Witness(args.state, signer, parse_logs(args.log))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="A tlog witness (c2sp.org/tlog-witness).")
    sub = parser.add_subparsers(dest="command", required=True)
    keygen = sub.add_parser("keygen", help="print a new signer key and its verifier key")
    keygen.add_argument("name")
    for name in ("serve", "cosign"):
        p = sub.add_parser(name)
        p.add_argument("--state", required=True)
        p.add_argument("--key", required=True, help="file holding the witness's signer key")
        p.add_argument("--log", action="append", required=True, help="ORIGIN=VKEY (repeatable)")
        if name == "serve":
            p.add_argument("--port", type=int, required=True)
            p.add_argument("--host", default="127.0.0.1")
        else:
            p.add_argument("--old", type=int, required=True)
            p.add_argument("--proof", required=True, help="file with base64 proof hashes, one a line")
            p.add_argument("--checkpoint", required=True, help="file with the signed checkpoint note")
    args = parser.parse_args(argv)
    if args.command == "keygen":
        signer = tlog.generate_signer(args.name)
        print(signer.skey)
        print(signer.verifier(tlog.COSIGNATURE_V1).vkey)
        return 0
    witness = build_witness(args)
    if not os.path.exists(args.state) and os.path.exists(marker_path(args.state)):
        print(f"BROKEN STATE FILE: {args.state} is missing but {marker_path(args.state)} says this witness has "
              f"cosigned: it refuses every checkpoint until the state file is restored (remove both only "
              f"for a deliberate fresh start).", file=sys.stderr, flush=True)
    elif not os.path.exists(args.state):
        print(f"note: state file {args.state} does not exist: this witness remembers no checkpoint and will "
              f"cosign any log from its current size. If it cosigned before, stop and restore its state file.",
              file=sys.stderr, flush=True)
    if args.command == "serve":
        server = ThreadingHTTPServer((args.host, args.port), make_handler(witness))
        print(f"witness {witness.verifier.vkey} listening on {args.host}:{server.server_port}",
              file=sys.stderr, flush=True)
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        return 0
    with open(args.proof, encoding="utf-8") as f:
        lines = [line for line in f.read().split("\n") if line]
    with open(args.checkpoint, encoding="utf-8") as f:
        note = f.read()
    try:
        proof = [tlog.b64decode(line, "a proof hash") for line in lines]
        print(handle_body(witness, tlog.format_add_checkpoint(args.old, proof, note).encode()), end="")
        return 0
    except tlog.TlogError as e:
        print(f"refused: malformed proof file: {e}", file=sys.stderr)
        return 1
    except Refused as r:
        print(str(r), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
