"""`manage.py demo_witnesses`: the demo's two witnesses of the fund's transparency log — the audit
bureau and the city's newspaper — each a separate process running the repository's witness program
(disclosure/witness.py: Python and `cryptography` only, a state file, no database). Starts those not
already running, and prints the TLOG_WITNESSES value that points the portal at them (`make demo`
exports it for load_demo and runserver).

Each witness keeps its own key and state under var/witnesses/. A witness remembers the log it
cosigned, so when the demo's log is empty (a new database) their state starts afresh too — a real
witness would rightly refuse a log that starts over."""
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from disclosure import tlog
from disclosure.transparency import keys
from disclosure.transparency.log import log_size
from disclosure.witness import marker_path

WITNESSES = [("audit.ruian.example", 8701), ("press.ruian.example", 8702)]  # 审计局、瑞安日报
PROGRAM = Path(settings.BASE_DIR) / "disclosure" / "witness.py"


def listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


def witness_key(folder: Path, name: str) -> tlog.Signer:
    path = folder / f"{name}.key"
    if not path.exists():
        keys.key_file_write(path, name)
    return tlog.parse_skey(path.read_text(encoding="ascii").strip())


def stop(folder: Path, name: str) -> None:
    pid_file = folder / f"{name}.pid"
    try:
        os.kill(int(pid_file.read_text()), signal.SIGTERM)
    except (FileNotFoundError, ValueError, ProcessLookupError):
        pass
    pid_file.unlink(missing_ok=True)


class Command(BaseCommand):
    help = "启动演示用的两个透明日志见证方（审计局、瑞安日报），各为独立进程；打印 TLOG_WITNESSES 的值。"

    def handle(self, *args, **options):
        folder = Path(settings.VAR_DIR) / "witnesses"
        folder.mkdir(parents=True, exist_ok=True)
        if not Path(settings.TLOG_SIGNING_KEY_FILE).exists():
            keys.key_file_write(Path(settings.TLOG_SIGNING_KEY_FILE), settings.TLOG_ORIGIN)
        fund = keys.log_signer().verifier()
        fresh = log_size() == 0
        configured = []
        for name, port in WITNESSES:
            signer = witness_key(folder, name)
            state = folder / f"{name}.json"
            if fresh:
                stop(folder, name)
                state.unlink(missing_ok=True)
                Path(marker_path(str(state))).unlink(missing_ok=True)  # a fresh start, on purpose
            if not listening(port):
                self.start(folder, name, port, state, fund)
            configured.append(f"http://127.0.0.1:{port} {signer.verifier(tlog.COSIGNATURE_V1).vkey}")
        self.stdout.write(";".join(configured))

    def start(self, folder: Path, name: str, port: int, state: Path, fund: tlog.Verifier) -> None:
        for _ in range(20):  # a witness just stopped may hold its port for a moment
            if not listening(port):
                break
            time.sleep(0.1)
        log = open(folder / f"{name}.log", "ab")
        process = subprocess.Popen(
            [sys.executable, str(PROGRAM), "serve", "--state", str(state), "--key", str(folder / f"{name}.key"),
             "--log", f"{settings.TLOG_ORIGIN}={fund.vkey}", "--port", str(port)],
            stdout=log, stderr=log, stdin=subprocess.DEVNULL, start_new_session=True)
        (folder / f"{name}.pid").write_text(str(process.pid))
        for _ in range(50):
            if listening(port):
                return
            if process.poll() is not None:
                break
            time.sleep(0.1)
        raise CommandError(f"见证方 {name} 未能在端口 {port} 启动，见 {folder / (name + '.log')}")
