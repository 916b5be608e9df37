"""The settlement import as the portal runs it, for benchmarks/screening.py: in a long-lived
worker process, one file after another."""
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The import as the portal runs it: in a long-lived worker process (the Celery worker, where Django,
# polars and the database connection are already up), one file after another. This stands in for
# it: `manage.py shell` reading one file per line and running the same service the worker's task
# runs (settlement_import_create + settlement_import_run). Each import is timed from the line sent
# to the answer read; its peak RSS is the process's high-water mark (VmHWM, reset before each
# file), its CPU the process's and its database backend's (from /proc: the server is on this
# machine) — not PostgreSQL's parallel index-build workers nor the short connections that write
# the job's progress, so it understates the CPU a little.
WORKER = """
import json, logging, os, sys
from pathlib import Path
from django.db import connection
import assistance.importing.postgres  # what the worker's first import would load: polars and the loader
from assistance.intake.services import settlement_import_create, settlement_import_run
from fundportal.models import User
user = User.objects.get(username="msb")
with connection.cursor() as cursor:
    cursor.execute("SELECT pg_backend_pid()")
    backend = cursor.fetchone()[0]
phases = {}
class Phases(logging.Handler):  # the seconds of each phase, which the import logs at its end
    def emit(self, record):
        phases.update(getattr(record, "phases", {}))
logging.getLogger("assistance.intake.services").addHandler(Phases(logging.INFO))
logging.getLogger("assistance.intake.services").setLevel(logging.INFO)
print("@@", json.dumps({"ready": True, "backend": backend}), flush=True)
for line in sys.stdin:
    path, year, month = line.rstrip("\\n").split("\\t")
    phases.clear()
    job = settlement_import_create(year=int(year), month=int(month) if month else None,
                                   file_name=Path(path).name, acting_user=user)
    job = settlement_import_run(job=job, path=Path(path))
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")  # the same connection throughout (checked by ImportWorker.run)
        backend = cursor.fetchone()[0]
    print("@@", json.dumps({"job": job.pk, "status": job.state, "imported": job.rows_imported, "rejected": job.rows_rejected,
                      "rows": job.rows_total, "people_created": job.people_created, "message": job.message,
                      "backend": backend, "phases": {k: round(v, 2) for k, v in phases.items()}}), flush=True)
"""


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of a process so far (0 when it has gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _high_water_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


class ImportWorker:
    """One long-lived importing process (see WORKER)."""

    def __init__(self, env: dict, workdir: Path):
        self._stderr = open(workdir / "worker.err", "w")
        self.process = subprocess.Popen([sys.executable, str(ROOT / "manage.py"), "shell", "-c", WORKER], cwd=ROOT,
                                        env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=self._stderr, text=True)
        self.backend = self._answer()["backend"]  # ready: Django, polars and the connection are up

    def _answer(self) -> dict:
        """The next answer line ("@@ {...}"; anything else the process prints is passed over)."""
        while line := self.process.stdout.readline():
            if line.startswith("@@ "):
                return json.loads(line[3:])
        self.process.wait()
        self._stderr.flush()
        raise SystemExit(f"the import worker stopped:\n{Path(self._stderr.name).read_text()[-4000:]}")

    def run(self, path: Path, *, year: int, month: int | None) -> tuple[dict, float, float, float]:
        """Import one file; return (answer, wall seconds, peak RSS MB of this import, CPU seconds)."""
        Path(f"/proc/{self.process.pid}/clear_refs").write_text("5")  # VmHWM from now: this file's peak
        cpu = _cpu_seconds(self.process.pid) + _cpu_seconds(self.backend)
        started = time.perf_counter()
        self.process.stdin.write(f"{path}\t{year}\t{month or ''}\n")
        self.process.stdin.flush()
        answer = self._answer()
        seconds = time.perf_counter() - started
        if answer["backend"] != self.backend:  # its CPU would be lost: the figures would not add up
            raise SystemExit("the import worker's database connection changed during an import")
        cpu = _cpu_seconds(self.process.pid) + _cpu_seconds(self.backend) - cpu
        return answer, seconds, _high_water_mb(self.process.pid), cpu

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=60)
        self._stderr.close()
