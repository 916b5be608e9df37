"""Witnesses for the transparency-log tests: the repository's witness program (disclosure/witness.py)
serving HTTP on a free port in a thread of the test process (a subprocess where a test restarts one),
following the fund's log with the fund's public key, each with its own state file."""
import threading
from dataclasses import dataclass
from http.server import ThreadingHTTPServer

from django.conf import settings

from disclosure import tlog, witness
from disclosure.transparency import keys


@dataclass
class RunningWitness:
    name: str
    signer: tlog.Signer
    state_path: str
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    @property
    def vkey(self) -> str:
        return self.signer.verifier(tlog.COSIGNATURE_V1).vkey

    @property
    def setting(self) -> str:
        return f"{self.url} {self.vkey}"

    def start(self) -> "RunningWitness":
        logs = {settings.TLOG_ORIGIN: [keys.log_signer().verifier()]}
        handler = witness.make_handler(witness.Witness(self.state_path, self.signer, logs))
        handler.log_message = lambda *args: None
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def start_witnesses(tmp_path, settings, *names: str) -> list[RunningWitness]:
    """Running witnesses, configured as the portal's (settings.TLOG_WITNESSES)."""
    running = [RunningWitness(name, tlog.generate_signer(name), str(tmp_path / f"{name}.json")).start()
               for name in names]
    settings.TLOG_WITNESSES = [w.setting for w in running]
    return running
