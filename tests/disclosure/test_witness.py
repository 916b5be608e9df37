"""The witness cosigns only a checkpoint that extends the one it cosigned before, and keeps that
across restarts: each test names the rule that makes it fail when removed."""
import json
import http.client
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from disclosure import tlog, witness

ORIGIN = "example.org/fund-log"
LOG = tlog.generate_signer("example.org-fund-log")
WIT = tlog.generate_signer("witness-a")


def leaves(n, tag=b"leaf"):
    return [tlog.leaf_hash(tag + str(i).encode()) for i in range(n)]


def note(hashes, signer=LOG, origin=ORIGIN):
    text = tlog.Checkpoint(origin, len(hashes), tlog.tree_root(hashes)).text
    return text + "\n" + tlog.sign(text, signer).line


def proof(hashes, old):
    return tlog.consistency_proof(tlog.memory_reader(hashes), old, len(hashes)) if old else []


@pytest.fixture
def wit(tmp_path):
    return witness.Witness(str(tmp_path / "state.json"), WIT, {ORIGIN: [LOG.verifier()]})


def add(w, old, hashes, prf=None, n=None):
    return w.add_checkpoint(old, proof(hashes, old) if prf is None else prf, n or note(hashes))


def status(w, *a, **k):
    with pytest.raises(witness.Refused) as e:
        add(w, *a, **k)
    return e.value


def test_first_checkpoint_and_growth_are_cosigned(wit):
    h = leaves(8)
    line = add(wit, 0, h[:5])
    n = note(h[:5])
    opened = tlog.open_note(n + line, [WIT.verifier(tlog.COSIGNATURE_V1)])
    assert opened.verified[WIT.verifier(tlog.COSIGNATURE_V1)] > 0
    add(wit, 5, h)
    assert json.loads(Path(wit.state_path).read_text())[ORIGIN]["size"] == 8


def test_wrong_old_size_is_409_with_stored_size(wit):
    h = leaves(8)
    add(wit, 0, h[:3])
    r = status(wit, 2, h)
    assert (r.status, r.body, r.ctype) == (409, "3\n", "text/x.tlog.size")


def test_bad_proof_and_nonempty_proof_from_zero_are_422(wit):
    h = leaves(8)
    assert status(wit, 0, h, prf=[h[0]]).status == 422
    add(wit, 0, h[:3])
    assert status(wit, 3, h, prf=[h[0]] * 3).status == 422


def test_split_view_and_rewritten_history_are_refused(wit, capsys):
    h = leaves(8)
    add(wit, 0, h)
    other = h[:7] + [tlog.leaf_hash(b"rewritten")]
    r = status(wit, 8, other)
    assert r.status == 409 and r.ctype != "text/x.tlog.size" and "split view" in str(r)  # the spec's 409
    assert tlog.b64(tlog.tree_root(h)) in capsys.readouterr().err
    longer = other + leaves(3, b"more")
    assert status(wit, 8, longer).status == 422
    assert "INCONSISTENT CHECKPOINT" in capsys.readouterr().err  # said loudly, not only answered


def test_unknown_key_is_403_and_unknown_origin_404(wit):
    h = leaves(4)
    assert status(wit, 0, h, n=note(h, signer=tlog.generate_signer("example.org-fund-log"))).status == 403
    assert status(wit, 0, h, n=note(h, origin="other.org/log")).status == 404
    assert status(wit, 5, h, prf=[]).status == 400


def test_a_known_key_whose_signature_fails_is_403(wit):
    h = leaves(4)
    body, sig = note(h).rsplit(" ", 1)
    raw = bytearray(tlog.b64decode(sig.strip(), "signature"))
    raw[-1] ^= 1  # the key's name and id are right, the signature is not
    assert status(wit, 0, h, n=f"{body} {tlog.b64(bytes(raw))}\n").status == 403


def test_two_checkpoints_racing_at_one_size_are_never_both_cosigned(wit, monkeypatch):
    """Two histories of the same size sent at once: the lock around check-then-save lets one in.
    The state's read is slowed so that, without the lock, both requests would read "size 0"."""
    read = witness.load_state

    def slow_read(path):
        state = read(path)
        time.sleep(0.05)
        return state
    monkeypatch.setattr(witness, "load_state", slow_read)
    ours, theirs = leaves(5), leaves(5, b"other")
    start = threading.Barrier(2)
    results = {}

    def send(name, hashes):
        start.wait()
        try:
            results[name] = add(wit, 0, hashes)
        except witness.Refused as r:
            results[name] = r.status
    threads = [threading.Thread(target=send, args=a) for a in (("ours", ours), ("theirs", theirs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    refused = [name for name, r in results.items() if isinstance(r, int)]
    assert len(results) == 2 and len(refused) == 1 and results[refused[0]] == 409
    winner = theirs if refused == ["ours"] else ours
    assert json.loads(Path(wit.state_path).read_text())[ORIGIN]["root"] == tlog.b64(tlog.tree_root(winner))


def test_restart_continues_and_still_refuses_the_split(wit):
    h = leaves(8)
    add(wit, 0, h[:6])
    again = witness.Witness(wit.state_path, WIT, {ORIGIN: [LOG.verifier()]})
    assert status(again, 6, h[:5] + [tlog.leaf_hash(b"x")]).status == 409
    add(again, 6, h)


def test_state_survives_a_crash_mid_write(wit, monkeypatch):
    h = leaves(8)
    add(wit, 0, h[:4])
    before = Path(wit.state_path).read_text()

    def crash(*a):
        raise OSError("crash")
    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError):
        add(wit, 4, h)
    assert Path(wit.state_path).read_text() == before
    assert not [p for p in Path(wit.state_path).parent.iterdir() if p.name.endswith(".tmp")]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_http_server_runs_without_django(tmp_path):
    src = Path(witness.__file__).parent
    for name in ("tlog.py", "witness.py"):
        (tmp_path / name).write_text((src / name).read_text())
    (tmp_path / "key").write_text(WIT.skey + "\n")
    port = free_port()
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(tmp_path)}
    proc = subprocess.Popen([sys.executable, str(tmp_path / "witness.py"), "serve", "--state",
                             str(tmp_path / "state.json"), "--key", str(tmp_path / "key"),
                             "--log", f"{ORIGIN}={LOG.verifier().vkey}", "--port", str(port)],
                            env=env, cwd=tmp_path, stderr=subprocess.PIPE)
    try:
        h = leaves(6)

        def post(old, hs):
            body = tlog.format_add_checkpoint(old, proof(hs, old), note(hs)).encode()
            req = urllib.request.Request(f"http://127.0.0.1:{port}/add-checkpoint", data=body, method="POST")
            try:
                with urllib.request.urlopen(req, timeout=5) as r:
                    return r.status, r.read().decode()
            except urllib.error.HTTPError as e:
                return e.code, e.read().decode()
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                time.sleep(0.05)
        code, line = post(0, h[:4])
        assert code == 200
        tlog.open_note(note(h[:4]) + line, [WIT.verifier(tlog.COSIGNATURE_V1)])
        assert post(0, h) == (409, "4\n")
        assert post(4, h)[0] == 200
        for length in ("x", "-5", str(2 << 20)):  # a broken or huge length is answered, the server lives
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.putrequest("POST", "/add-checkpoint")
            conn.putheader("Content-Length", length)
            conn.endheaders()
            assert conn.getresponse().status == 400
            conn.close()
        assert post(4, h) == (409, "6\n")
    finally:
        proc.terminate()
        proc.wait(5)
    probe = subprocess.run([sys.executable, "-c", "import witness, sys; print('django' in sys.modules)"],
                           env=env, cwd=tmp_path, capture_output=True, text=True)
    assert probe.stdout.strip() == "False"


def test_cli_cosigns_then_refuses_with_a_nonzero_exit(tmp_path, capsys):
    key, prf, cp = tmp_path / "key", tmp_path / "proof", tmp_path / "cp"
    key.write_text(WIT.skey + "\n")
    h = leaves(5)
    base = ["cosign", "--state", str(tmp_path / "s.json"), "--key", str(key),
            "--log", f"{ORIGIN}={LOG.verifier().vkey}", "--proof", str(prf), "--checkpoint", str(cp)]
    prf.write_text("")
    cp.write_text(note(h[:2]))
    assert witness.main(base + ["--old", "0"]) == 0
    prf.write_text("".join(tlog.b64(x) + "\n" for x in proof(h, 2)))
    cp.write_text(note(h))
    assert witness.main(base + ["--old", "2"]) == 0
    tlog.open_note(note(h) + capsys.readouterr().out.splitlines()[-1] + "\n", [WIT.verifier(tlog.COSIGNATURE_V1)])
    assert witness.main(base + ["--old", "2"]) == 1
    assert "refused" in capsys.readouterr().err


def test_runs_as_a_script_from_the_repo():  # not -I: in 3.11 it leaves the script dir off sys.path
    """python disclosure/witness.py: disclosure/selectors.py must not shadow the stdlib's."""
    out = subprocess.run([sys.executable, witness.__file__, "keygen", "witness-b"], env={"PATH": os.environ["PATH"]},
                         capture_output=True, text=True, timeout=30)
    skey, vkey = out.stdout.split()
    assert tlog.parse_skey(skey).verifier(tlog.COSIGNATURE_V1) == tlog.parse_vkey(vkey)


@pytest.mark.parametrize("content", ["", "{not json", "[]", '{"example.org/fund-log": 7}',
                                     '{"example.org/fund-log": {"size": "5", "root": "x"}}',
                                     '{"example.org/fund-log": {"size": 5, "root": "AAAA"}}',
                                     '{"example.org/fund-log": {"size": 5, "root": "!!"}}'])
def test_a_broken_state_file_is_refused_never_taken_for_a_fresh_start(wit, content, capsys):
    Path(wit.state_path).write_text(content)
    assert status(wit, 0, leaves(3)).status == 500
    assert "BROKEN STATE FILE" in capsys.readouterr().err
    assert Path(wit.state_path).read_text() == content  # left for its owner to restore


def test_a_state_file_gone_while_running_is_lost_memory_not_a_fresh_start(wit):
    h = leaves(6)
    add(wit, 0, h[:3])
    os.unlink(wit.state_path)
    assert status(wit, 0, h).status == 500  # it would otherwise cosign any history from size 0
    other_process = witness.Witness(wit.state_path, WIT, {ORIGIN: [LOG.verifier()]})
    assert status(other_process, 0, h).status == 500  # whichever process wrote the file
    assert not os.path.exists(wit.state_path)
    os.unlink(witness.marker_path(wit.state_path))  # both gone: this process still knows it lost them
    assert status(wit, 0, h).status == 500
    fresh = witness.Witness(wit.state_path, WIT, {ORIGIN: [LOG.verifier()]})  # its owner restarts it afresh
    add(fresh, 0, h)


def test_an_older_copy_of_the_state_restored_under_a_running_witness_is_refused(wit):
    h = leaves(10)
    add(wit, 0, h[:3])
    older = Path(wit.state_path).read_text()
    add(wit, 3, h)
    Path(wit.state_path).write_text(older)  # it would cosign a fork from size 3
    fork = h[:3] + leaves(7, b"fork")
    assert status(wit, 3, fork).status == 500


def test_a_state_rolled_back_to_one_without_the_log_is_refused(wit):
    h = leaves(6)
    add(wit, 0, h[:3])
    Path(wit.state_path).write_text("{}")  # valid, but it no longer remembers the log it cosigned
    assert status(wit, 0, h).status == 500
    other_process = witness.Witness(wit.state_path, WIT, {ORIGIN: [LOG.verifier()]})
    assert status(other_process, 0, h).status == 500  # the marker names the log


RACER = """
import sys, time
sys.path.insert(0, sys.argv[1])
import witness
read = witness.load_state
def slow(path):
    state = read(path)
    time.sleep(0.3)  # both processes would read "size 0" without the file lock
    return state
witness.load_state = slow
sys.exit(witness.main(sys.argv[2:]))
"""


def test_two_cosign_processes_on_one_state_file_never_both_cosign_one_size(tmp_path):
    src = Path(witness.__file__).parent
    for name in ("tlog.py", "witness.py"):
        (tmp_path / name).write_text((src / name).read_text())
    (tmp_path / "key").write_text(WIT.skey + "\n")
    (tmp_path / "proof").write_text("")
    runs = []
    for tag in (b"ours", b"theirs"):
        cp = tmp_path / f"cp-{tag.decode()}"
        cp.write_text(note(leaves(5, tag)))
        runs.append(subprocess.Popen(
            [sys.executable, "-c", RACER, str(tmp_path), "cosign", "--state", str(tmp_path / "s.json"),
             "--key", str(tmp_path / "key"), "--log", f"{ORIGIN}={LOG.verifier().vkey}", "--old", "0",
             "--proof", str(tmp_path / "proof"), "--checkpoint", str(cp)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path))
    codes = sorted(run.wait(30) for run in runs)
    assert codes == [0, 1]


def test_the_server_keeps_a_connection_alive_and_answers_sizes_as_the_spec_types_them(tmp_path):
    handler = witness.make_handler(witness.Witness(str(tmp_path / "s.json"), WIT, {ORIGIN: [LOG.verifier()]}))
    handler.log_message = lambda *args: None
    server = witness.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=5)
        h = leaves(4)
        for old, expected in ((0, 200), (0, 409)):  # two requests, one connection
            conn.request("POST", "/add-checkpoint", tlog.format_add_checkpoint(old, [], note(h)).encode())
            response = conn.getresponse()
            body = response.read()
            assert response.status == expected and response.version == 11
        assert response.getheader("Content-Type") == "text/x.tlog.size" and body == b"4\n"
    finally:
        server.shutdown()
        server.server_close()
