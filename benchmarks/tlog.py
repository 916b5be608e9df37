"""The transparency log at city scale: appending, signing, proofs and checking the whole log.

    .venv/bin/python benchmarks/tlog.py [--leaves 1000000] [--batch 2000] [--samples 1000] [--scale-samples 100]
                                        [--seed 2026] [--db fp_tlogbench] [--keep-db] [--keep] [--no-migrate]
                                        [--workdir DIR]

Ten years of a city's fund is about a million leaves: every published statement's document and public
rows, and each publication's public file records. What it does, in order (benchmarks/README.md has
the figures and how to read them):

1. Setup (not measured): drops and recreates a scratch database, `manage.py migrate` (or, with
   --no-migrate, the tables straight from the models plus migration 0010's append-only triggers:
   seconds instead of a minute and a half), then sets Django up in this process against it (DEBUG
   off, so no query log) and writes a throwaway signing key into a temporary directory
   (TLOG_SIGNING_KEY_FILE), with the project's own key_file_write.
2. Append (measured): publications one after the other, each as production appends it: the
   statement's leaves (its canonical-JSON document holding every row, then each row as
   transparency/leaves.py words it, ~200 bytes; --batch leaves in all), then its 11 public file
   records (disclosure/pages.py's paths). Each `log_append` runs in its own transaction, reads the
   key from its file and signs its checkpoint, as disclosure/services.py and files.py do; the time
   per append includes the commit (and the eager cosign task, which has no witness to ask here).
3. Sizes: pg_total_relation_size of the log's tables; this process's peak RSS after the append.
4. Signing: the Ed25519 signature of a checkpoint alone, and a whole checkpoint at full size
   (key file, stored edge, root, signed note, row; rolled back) — what `manage.py tlog sign` does.
5. Proofs at full size, for --samples random leaves: the proof download's work (latest checkpoint,
   leaf row, inclusion proof from the stored nodes in one query, .tlog-proof text) and its check
   from the text alone (signature, then path); consistency proofs between random sizes, checked
   against the roots of those sizes. Then, at sizes 1k, 10k, 100k, 1M (up to --leaves), the
   hashes per proof against log2(size).
6. Whole log: every leaf hash and the root recomputed from the leaves' text (as verify does) and
   compared with the signed root; then verify's own `log_problems()`, which must find nothing.
7. Offline: the public entries download written to a file (one base64 leaf a line), then
   `python disclosure/tlog.py log ENTRIES CHECKPOINT --previous EARLIER` and `… proof FILE`,
   each its own process (time and peak RSS by wait4, through screening.py's launcher).

Human lines, then one JSON line. Exit status 1 unless every check passed.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.screening import LAUNCHER, pg_url, psql  # noqa: E402
from disclosure import tlog  # noqa: E402  (Django-free: the offline verifier itself)

LOG_TABLES = ("disclosure_logleaf", "disclosure_lognode", "disclosure_logcheckpoint")
SCALE_SIZES = (1_000, 10_000, 100_000, 1_000_000)
LANGUAGES = ("zh-hans", "en")  # settings.LANGUAGES: each publication rewrites both languages' pages
OWN_FILES = ("statement.json", "income.csv", "payouts.csv", "pledges.csv", "statement.pdf")
FILES_PER_PUBLICATION = 3 * len(LANGUAGES) + len(OWN_FILES)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰建国志红德海"
TOWNS = ("安阳街道", "玉海街道", "锦湖街道", "东山街道", "上望街道", "莘塍街道", "汀田街道", "飞云街道",
         "仙降街道", "南滨街道", "塘下镇", "马屿镇", "陶山镇", "湖岭镇", "高楼镇", "平阳坑镇", "芳庄乡")
CATEGORIES = ("特困供养人员", "最低生活保障对象", "低保边缘家庭", "支出型困难家庭", "重大疾病患者")
COMPANIES = ("瑞安市某某机械有限公司", "某某汽摩配件厂", "某某商会", "某某村经济合作社")
NO_MIGRATIONS = """
import importlib
from django.core.management import call_command
from django.db import connection
from django.test.utils import override_settings

class NoMigrations(dict):
    def __contains__(self, item):
        return True

    def __getitem__(self, item):
        return None

with override_settings(MIGRATION_MODULES=NoMigrations()):
    call_command("migrate", run_syncdb=True, interactive=False, verbosity=0)
triggers = importlib.import_module("disclosure.migrations.0010_transparency_log").POSTGRES_UP
with connection.cursor() as cursor:
    for statement in triggers:
        cursor.execute(statement)
"""


# ---------------------------------------------------------------------------------------------- helpers

def say(text: str = "") -> None:
    print(text, flush=True)


def summary(values: list[float], digits: int = 3) -> dict:
    """Mean, median, p95 and max: a mean alone hides the slow tail."""
    ordered = sorted(values)
    p95 = ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]
    return {"mean": round(statistics.fmean(ordered), digits), "p50": round(statistics.median(ordered), digits),
            "p95": round(p95, digits), "max": round(ordered[-1], digits)}


def line(stats: dict, unit: str = "ms") -> str:
    return f"mean {stats['mean']:,} {unit}, p50 {stats['p50']:,}, p95 {stats['p95']:,}, max {stats['max']:,}"


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def load_average() -> list[float]:
    return [round(value, 2) for value in os.getloadavg()]


def django_env(db: str, key_file: Path) -> dict:
    """The environment of this process's Django and of its manage.py children: the scratch database,
    the throwaway key, no witnesses, no broker (the cosign task runs in process), no Redis."""
    env = dict(os.environ)
    env.update(DATABASE_URL=pg_url(db), DJANGO_SETTINGS_MODULE="fundportal.settings", DEBUG="False",
               SECRET_KEY="benchmark-only-" + "x" * 40, LOG_LEVEL="WARNING", PYTHONUNBUFFERED="1",
               TLOG_SIGNING_KEY_FILE=str(key_file))
    for key in ("REDIS_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "TLOG_PUBLIC_KEY",
                "TLOG_RETIRED_KEYS", "TLOG_WITNESSES"):
        env.pop(key, None)
    return env


def launch(command: list[str], workdir: Path, env: dict) -> tuple[subprocess.CompletedProcess, float, float]:
    """Run a process through screening.py's launcher: (result, wall seconds, its own peak RSS MB),
    not inflated by this process's size."""
    usage = workdir / "child.rusage"
    result = subprocess.run([sys.executable, "-c", LAUNCHER, str(usage), *command], cwd=ROOT, env=env,
                            capture_output=True, text=True)
    maxrss_kib, seconds = usage.read_text().split()
    return result, float(seconds), int(maxrss_kib) / 1024


def manage(env: dict, workdir: Path, *args: str) -> None:
    result, _, _ = launch([sys.executable, str(ROOT / "manage.py"), *args], workdir, env)
    if result.returncode:
        raise SystemExit(f"manage.py {args[0]} failed ({result.returncode}):\n{result.stderr[-4000:]}")


def database_create(db: str) -> None:
    busy = psql("postgres", f"SELECT count(*) FROM pg_stat_activity WHERE datname = '{db}'",
                extra=("-A", "-t")).stdout.strip()
    if busy != "0":  # another run (or someone) is using it: never pull it from under them
        raise SystemExit(f"database {db} is in use ({busy} sessions): pick another with --db")
    psql("postgres", f"DROP DATABASE IF EXISTS {db}")
    psql("postgres", f"CREATE DATABASE {db}")


def database_drop(db: str) -> None:
    from django.apps import apps

    if apps.ready:  # this process's own session first, or the drop is refused
        from django.db import connections

        connections.close_all()
    psql("postgres", f"DROP DATABASE IF EXISTS {db}", check=False)


def django_setup(env: dict) -> None:
    """Django in this process, on the scratch database: the append and the proofs run here, as
    they run inside the portal."""
    for key in set(os.environ) - set(env):
        del os.environ[key]
    os.environ.update(env)
    import django

    django.setup()


# ---------------------------------------------------------------------------------------------- leaves

def plan(leaves: int, batch: int) -> list[tuple[int, int]]:
    """(statement leaves, file leaves) per publication, adding up to exactly `leaves`."""
    publications, remaining = [], leaves
    while remaining > 0:
        statement = min(batch, remaining)
        files = min(FILES_PER_PUBLICATION, remaining - statement)
        publications.append((statement, files))
        remaining -= statement + files
    return publications


def masked_name(rng: random.Random) -> str:
    """As fundportal.masking shows a two- or three-character name: 张*明, 李*."""
    return rng.choice(SURNAMES) + "*" + (rng.choice(GIVEN) if rng.random() < 0.8 else "")


def income_row(rng: random.Random, entry: int, day: str) -> dict:
    """A gift as disclosure/content.income_rows publishes it."""
    kind = rng.choices(("个人", "单位", "匿名"), weights=(70, 10, 20))[0]
    donor = {"个人": masked_name(rng), "单位": rng.choice(COMPANIES), "匿名": "匿名"}[kind]
    return {"entry": entry, "date": day, "donor": donor, "donor_kind": kind,
            "amount": f"{rng.choice((50, 100, 200, 500, 1000, 5000, 20000)) + rng.randrange(100) / 100:.2f}",
            "note": "冲正" if rng.random() < 0.002 else ""}


def payout_row(rng: random.Random, entry: int, day: str) -> dict:
    """A payout as disclosure/content.payout_rows publishes it."""
    return {"entry": entry, "date": day, "name": masked_name(rng), "town": rng.choice(TOWNS),
            "category": rng.choice(CATEGORIES), "amount": f"{rng.randrange(50_000, 8_000_000) / 100:.2f}",
            "note": "银行退回" if rng.random() < 0.002 else ""}


def grouped(rows: list[dict], key: str) -> list[dict]:
    totals: dict[str, float] = {}
    for row in rows:
        totals[row[key]] = totals.get(row[key], 0.0) + float(row["amount"])
    return [{key: name, "total": f"{total:.2f}"} for name, total in sorted(totals.items())]


def statement_leaves(rng: random.Random, sequence: int, count: int, first_entry: int, previous: str) -> list:
    """A published statement's leaves, shaped as transparency/leaves.statement_leaves makes them:
    the document (services.document_for: header and content, rows included), then each row."""
    from disclosure.content import canonical
    from disclosure.models import LogLeaf
    from disclosure.transparency.leaves import Leaf, row_data

    day = f"{2017 + sequence // 50}-{1 + sequence % 12:02d}-{1 + sequence % 28:02d}"
    income = [income_row(rng, first_entry + n, day) for n in range(0, count - 1, 2)]
    payouts = [payout_row(rng, first_entry + n, day) for n in range(1, count - 1, 2)]
    content = {"format": 2, "period": {"start": day, "end": day},
               "income": {"rows": income, "by_kind": grouped(income, "donor_kind"), "donors": len(income)},
               "payouts": {"rows": payouts, "by_town": grouped(payouts, "town"),
                           "by_category": grouped(payouts, "category"), "people": len(payouts)},
               "pledges": {"rows": [], "outstanding": "0.00"}}
    document = canonical({"fund": "慈善医疗救助共富基金", "sequence": sequence, "kind": "month",
                          "title": f"第 {sequence} 号收支公示", "period": content["period"],
                          "published_at": f"{day}T10:00:00+08:00", "previous_sha256": previous, "content": content})
    shown = SimpleNamespace(sequence=sequence)  # row_data reads only the sequence
    rows = [Leaf(LogLeaf.Kind.ROW, row_data(shown, section, row), None, row["entry"])
            for section, section_rows in (("income", income), ("payouts", payouts)) for row in section_rows]
    return [Leaf(LogLeaf.Kind.STATEMENT, document), *rows]


def file_leaves(rng: random.Random, sequence: int, count: int) -> list:
    """A publication's public file records (pages in each language, its JSON, CSVs and PDF), as
    transparency/leaves.file_leaf words them; the shared pages get a new version each time."""
    from disclosure.models import LogLeaf, PublicFile
    from disclosure.transparency.leaves import Leaf, file_data

    shared = [f"{language}/{page}" for language in LANGUAGES for page in ("index.html", "statements/index.html")]
    own = [f"{language}/statements/{sequence}/index.html" for language in LANGUAGES]
    own += [f"statements/{sequence}/{name}" for name in OWN_FILES]
    records = [SimpleNamespace(path=path, version=sequence if path in shared else 1,
                               sha256=rng.randbytes(32).hex(), size=rng.randrange(2_000, 400_000))
               for path in shared + own]
    # Their records too (verify finds a file leaf without its record), made here, outside the timing.
    PublicFile.objects.bulk_create([PublicFile(path=r.path, version=r.version, sha256=r.sha256, size=r.size)
                                    for r in records[:count]])
    return [Leaf(LogLeaf.Kind.FILE, file_data(record, None)) for record in records[:count]]


# ---------------------------------------------------------------------------------------------- measurements

def timed_append(leaves: list) -> float:
    """One append as production makes it: its own transaction, the key read from its file, the
    checkpoint signed; milliseconds including the commit."""
    from django.db import transaction

    from disclosure.transparency.log import log_append

    started = time.perf_counter()
    with transaction.atomic():
        log_append(leaves)
    return (time.perf_counter() - started) * 1000


def append_all(publications: list[tuple[int, int]], rng: random.Random) -> dict:
    statement_ms, file_ms, document_bytes, row_bytes, rows = [], [], 0, 0, 0
    appended, entry, previous, wall = 0, 1, "", 0.0
    started = time.perf_counter()
    report_every = max(1, len(publications) // 10)
    for sequence, (statement_count, file_count) in enumerate(publications, start=1):
        leaves = statement_leaves(rng, sequence, statement_count, entry, previous)
        entry += statement_count
        previous = rng.randbytes(32).hex()
        document_bytes += len(leaves[0].data.encode("utf-8"))
        row_bytes += sum(len(leaf.data.encode("utf-8")) for leaf in leaves[1:])
        rows += len(leaves) - 1
        statement_ms.append(timed_append(leaves))
        if file_count:
            file_ms.append(timed_append(file_leaves(rng, sequence, file_count)))
        appended += statement_count + file_count
        if sequence % report_every == 0 or sequence == len(publications):
            wall = time.perf_counter() - started
            say(f"  {appended:>10,} leaves  {sequence:>5} publications  {wall:7.1f} s  "
                f"last statement append {statement_ms[-1]:7.1f} ms  load {load_average()[0]}")
    tenth = max(1, len(statement_ms) // 10)
    return {"statement_ms": statement_ms, "file_ms": file_ms, "wall_seconds": wall,
            "append_seconds": (sum(statement_ms) + sum(file_ms)) / 1000,
            "first_tenth_ms": statistics.fmean(statement_ms[:tenth]),
            "last_tenth_ms": statistics.fmean(statement_ms[-tenth:]),
            "row_bytes_mean": row_bytes / max(1, rows), "document_bytes_mean": document_bytes / len(publications)}


def table_sizes() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, pg_total_relation_size(oid) FROM pg_class WHERE relname = ANY(%s)",
                       [list(LOG_TABLES)])
        sizes = {name: size / 2**20 for name, size in cursor.fetchall()}
        cursor.execute("SELECT pg_database_size(current_database())")
        sizes["database"] = cursor.fetchone()[0] / 2**20
        cursor.execute("SELECT (SELECT count(*) FROM disclosure_lognode), (SELECT count(*) FROM disclosure_logcheckpoint)")
        nodes, checkpoints = cursor.fetchone()
    return {"mb": {name: round(size, 1) for name, size in sizes.items()}, "nodes": nodes, "checkpoints": checkpoints}


def stored_root(size: int) -> bytes:
    """The root of the first `size` leaves from the stored complete subtrees (one query)."""
    from disclosure.transparency.log import edge, stored_hashes, stored_reader

    return tlog.range_root(stored_reader(stored_hashes(edge(size))), 0, size)


def time_signing(checkpoint, times: int) -> dict:
    """The signature alone, then a whole checkpoint as `manage.py tlog sign` makes one (rolled back)."""
    from django.db import transaction

    from disclosure.models import ChainHead
    from disclosure.transparency import keys
    from disclosure.transparency.log import checkpoint_sign, log_size

    signer = keys.log_signer()
    text = tlog.Checkpoint(signer.name, checkpoint.size, bytes(checkpoint.root)).text
    sign_ms, whole_ms = [], []
    for _ in range(times):
        started = time.perf_counter()
        tlog.sign(text, signer)
        sign_ms.append((time.perf_counter() - started) * 1000)
    for _ in range(max(5, times // 50)):
        started = time.perf_counter()
        with transaction.atomic():
            signers = [keys.log_signer()]
            ChainHead.locked()
            size = log_size()
            checkpoint_sign(size, stored_root(size), signers)
            transaction.set_rollback(True)  # measured, not kept: the on-commit cosign never runs
        whole_ms.append((time.perf_counter() - started) * 1000)
    return {"sign_ms": summary(sign_ms, 4), "checkpoint_ms": summary(whole_ms)}


def inclusion_at_full_size(indexes: list[int], origin: str, verifiers: list) -> dict:
    """The proof download's work for each leaf, then the check a reader makes from its text alone."""
    from disclosure.models import LogLeaf
    from disclosure.transparency.proofs import inclusion_proof, latest_checkpoint

    request_ms, proof_ms, verify_ms, hashes, sizes, failures = [], [], [], [], [], []
    for index in indexes:
        started = time.perf_counter()
        checkpoint = latest_checkpoint()
        leaf = LogLeaf.objects.filter(index=index).first()
        fetched = time.perf_counter()
        proof = inclusion_proof(leaf, checkpoint)
        text = str(proof)
        done = time.perf_counter()
        try:
            extra = tlog.parse_proof(text).extra
            tlog.verify_proof(text, tlog.leaf_hash(extra), origin, verifiers)
            if extra != leaf.data.encode("utf-8"):
                failures.append(f"inclusion {index}: the proof's extra is not the leaf's text")
        except tlog.TlogError as exc:
            failures.append(f"inclusion {index}: {exc}")
        verify_ms.append((time.perf_counter() - done) * 1000)
        request_ms.append((done - started) * 1000)
        proof_ms.append((done - fetched) * 1000)
        hashes.append(len(proof.hashes))
        sizes.append(len(text.encode("utf-8")))
    return {"samples": len(indexes), "request_ms": summary(request_ms), "proof_ms": summary(proof_ms),
            "verify_ms": summary(verify_ms), "hashes": summary(hashes, 1), "bytes": summary(sizes, 0),
            "failures": failures}


def consistency_between(pairs: list[tuple[int, int]]) -> dict:
    """Consistency proofs from the stored nodes, each checked against the two trees' roots."""
    from disclosure.transparency.proofs import consistency_proof

    proof_ms, verify_ms, hashes, sizes, failures = [], [], [], [], []
    for size1, size2 in pairs:
        root1, root2 = stored_root(size1), stored_root(size2)
        started = time.perf_counter()
        proof = consistency_proof(size1, size2)
        made = time.perf_counter()
        try:
            tlog.verify_consistency(size1, size2, proof, root1, root2)
        except tlog.TlogError as exc:
            failures.append(f"consistency {size1} → {size2}: {exc}")
        verify_ms.append((time.perf_counter() - made) * 1000)
        proof_ms.append((made - started) * 1000)
        hashes.append(len(proof))
        sizes.append(sum(len(tlog.b64(h)) + 1 for h in proof))  # as lines of a witness request
    return {"samples": len(pairs), "proof_ms": summary(proof_ms), "verify_ms": summary(verify_ms),
            "hashes": summary(hashes, 1), "bytes": summary(sizes, 0), "failures": failures}


def random_pairs(rng: random.Random, size: int, count: int) -> list[tuple[int, int]]:
    pairs = []
    for _ in range(count):
        size1 = rng.randrange(1, size)
        pairs.append((size1, rng.randrange(size1 + 1, size + 1)))
    return pairs


def proof_sizes_by_tree_size(rng: random.Random, sizes: list[int], count: int) -> list[dict]:
    """Hashes per proof in trees of growing size, each proof checked: they grow as log2(size)."""
    from disclosure.models import LogLeaf
    from disclosure.transparency import proofs

    rows = []
    for size in sizes:
        root = stored_root(size)
        inclusion, failures = [], []
        for _ in range(count):
            index = rng.randrange(size)
            path = proofs._prefetched(tlog.inclusion_proof, index, size)  # what inclusion_proof reads
            data = LogLeaf.objects.values_list("data", flat=True).get(index=index)
            try:
                tlog.verify_inclusion(tlog.leaf_hash(data.encode("utf-8")), index, size, path, root)
            except tlog.TlogError as exc:
                failures.append(f"inclusion {index} in {size}: {exc}")
            inclusion.append(len(path))
        consistency = consistency_between([(rng.randrange(1, size), size) for _ in range(count)])
        rows.append({"size": size, "log2": round(math.log2(size), 2), "inclusion_hashes": summary(inclusion, 1),
                     "consistency_hashes": consistency["hashes"],
                     "failures": failures + consistency["failures"]})
    return rows


def recompute_root(checkpoint) -> dict:
    """Every leaf's hash from its text, then the tree and its root (as verify and the offline
    verifier do), against the signed checkpoint."""
    from disclosure.models import LogLeaf

    started = time.perf_counter()
    rows = LogLeaf.objects.order_by("index").values_list("data", flat=True).iterator(chunk_size=20000)
    hashes = [tlog.leaf_hash(data.encode("utf-8")) for data in rows]
    hashed = time.perf_counter()
    root = tlog.tree_root(hashes)
    done = time.perf_counter()
    return {"leaves": len(hashes), "read_and_hash_seconds": round(hashed - started, 2),
            "tree_seconds": round(done - hashed, 2), "seconds": round(done - started, 2),
            "matches": len(hashes) == checkpoint.size and root == bytes(checkpoint.root)}


def verify_problems() -> dict:
    from disclosure.transparency.checks import log_problems

    started = time.perf_counter()
    problems = log_problems()
    return {"seconds": round(time.perf_counter() - started, 2), "problems": problems[:10],
            "problem_count": len(problems)}


def write_offline_files(workdir: Path, checkpoint, index: int) -> dict:
    """The public downloads as files: entries (the entries view's own lines), the checkpoint, a
    checkpoint of about half the size (the reader's earlier copy) and one .tlog-proof."""
    from disclosure.log_views import _leaf_lines
    from disclosure.models import LogCheckpoint, LogLeaf
    from disclosure.transparency.proofs import inclusion_proof, public_note

    paths = {name: workdir / name for name in ("fund-log.entries", "checkpoint", "previous", "leaf.tlog-proof")}
    started = time.perf_counter()
    with open(paths["fund-log.entries"], "wb") as out:
        for chunk in _leaf_lines(checkpoint.size):
            out.write(chunk)
    seconds = time.perf_counter() - started
    paths["checkpoint"].write_text(public_note(checkpoint), encoding="utf-8")
    earlier = (LogCheckpoint.objects.filter(size__lte=checkpoint.size // 2).order_by("-size").first()
               or LogCheckpoint.objects.order_by("size").first())
    paths["previous"].write_text(public_note(earlier), encoding="utf-8")
    leaf = LogLeaf.objects.get(index=index)
    paths["leaf.tlog-proof"].write_text(str(inclusion_proof(leaf, checkpoint)), encoding="utf-8")
    return {"paths": paths, "entries_seconds": seconds, "previous_size": earlier.size,
            "entries_mb": paths["fund-log.entries"].stat().st_size / 2**20}


def offline_verifier(files: dict, origin: str, vkey: str, workdir: Path) -> dict:
    """tlog.py as a reader runs it: the whole log against the checkpoint (and the earlier one), then
    one proof; each its own process."""
    paths, verifier = files["paths"], str(ROOT / "disclosure" / "tlog.py")
    common = ["--origin", origin, "--key", vkey]
    log, log_seconds, log_rss = launch(
        [sys.executable, verifier, "log", str(paths["fund-log.entries"]), str(paths["checkpoint"]),
         "--previous", str(paths["previous"]), *common], workdir, dict(os.environ))
    proof, proof_seconds, proof_rss = launch(
        [sys.executable, verifier, "proof", str(paths["leaf.tlog-proof"]), *common], workdir, dict(os.environ))
    return {"log_ok": log.returncode == 0 and log.stdout.startswith("OK"), "log_seconds": round(log_seconds, 2),
            "log_rss_mb": round(log_rss, 1), "log_output": (log.stdout + log.stderr).strip(),
            "proof_ok": proof.returncode == 0 and proof.stdout.startswith("OK"),
            "proof_seconds": round(proof_seconds, 3), "proof_rss_mb": round(proof_rss, 1),
            "proof_output": (proof.stdout + proof.stderr).strip().splitlines()[0]}


# ---------------------------------------------------------------------------------------------- main

def parse_args(argv: list[str] | None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--leaves", type=int, default=1_000_000, help="leaves in the log at the end (default 1 M)")
    parser.add_argument("--batch", type=int, default=2000,
                        help="leaves per published statement: its document and rows (default 2,000)")
    parser.add_argument("--samples", type=int, default=1000,
                        help="random inclusion and consistency proofs at full size (default 1,000)")
    parser.add_argument("--scale-samples", type=int, default=100, help="proofs per size in the log2 table")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--db", default="fp_tlogbench",
                        help="scratch database: dropped and recreated (refused while anyone is connected to it)")
    parser.add_argument("--keep-db", action="store_true", help="leave the scratch database in place afterwards")
    parser.add_argument("--keep", action="store_true", help="keep the key, entries and proof files")
    parser.add_argument("--no-migrate", action="store_true",
                        help="tables from the models (run_syncdb) plus migration 0010's triggers instead of migrate")
    parser.add_argument("--workdir", type=Path, default=None, help="where the key and entries go (default: temp dir)")
    args = parser.parse_args(argv)
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", args.db):
        parser.error("--db: lower-case letters, digits and _ only")
    if args.leaves < 2 or args.batch < 2:
        parser.error("--leaves and --batch: at least 2")
    return args


def setup(args, workdir: Path) -> float:
    """Schema, Django in this process, the throwaway key (the database is created). Not measured."""
    started = time.perf_counter()
    env = django_env(args.db, workdir / "tlog-signing.key")
    if args.no_migrate:
        manage(env, workdir, "shell", "-c", NO_MIGRATIONS)
    else:
        manage(env, workdir, "migrate", "--noinput")
    django_setup(env)
    from django.conf import settings

    from disclosure.transparency import keys

    keys.key_file_write(Path(settings.TLOG_SIGNING_KEY_FILE), settings.TLOG_ORIGIN)
    return time.perf_counter() - started


def measure(args, workdir: Path) -> dict:
    from django.conf import settings

    from disclosure.transparency import keys
    from disclosure.transparency.proofs import latest_checkpoint

    rng, origin = random.Random(args.seed), settings.TLOG_ORIGIN
    verifiers, vkey = keys.log_verifiers(), keys.log_verifier().vkey
    publications = plan(args.leaves, args.batch)
    say(f"append: {args.leaves:,} leaves in {len(publications)} publications (a statement of ≤ {args.batch:,} "
        f"leaves, then ≤ {FILES_PER_PUBLICATION} file records, each its own signed append):")
    result = {"append": append_all(publications, rng), "rss_after_append_mb": peak_rss_mb(),
              "load_after_append": load_average(), "tables": table_sizes()}
    checkpoint = latest_checkpoint()
    say("signing, proofs …")
    result["signing"] = time_signing(checkpoint, args.samples)
    indexes = [rng.randrange(checkpoint.size) for _ in range(args.samples)]
    result["inclusion"] = inclusion_at_full_size(indexes, origin, verifiers)
    result["consistency"] = consistency_between(random_pairs(rng, checkpoint.size, args.samples))
    sizes = sorted({size for size in SCALE_SIZES if size <= checkpoint.size} | {checkpoint.size})
    result["by_size"] = proof_sizes_by_tree_size(rng, sizes, args.scale_samples)
    result["rss_after_proofs_mb"] = peak_rss_mb()
    say("whole log: recompute, verify, offline …")
    result["root"] = recompute_root(checkpoint)
    result["rss_after_root_mb"] = peak_rss_mb()
    result["verify"] = verify_problems()
    result["rss_after_verify_mb"] = peak_rss_mb()
    files = write_offline_files(workdir, checkpoint, rng.randrange(checkpoint.size))
    result["offline"] = {**offline_verifier(files, origin, vkey, workdir),
                         "entries_mb": round(files["entries_mb"], 1), "entries_seconds": round(files["entries_seconds"], 2),
                         "previous_size": files["previous_size"]}
    result["checkpoint"] = {"size": checkpoint.size, "note_bytes": len(checkpoint.note.encode("utf-8"))}
    return result


def failures_of(result: dict) -> list[str]:
    found = result["inclusion"]["failures"] + result["consistency"]["failures"]
    found += [failure for row in result["by_size"] for failure in row["failures"]]
    if not result["root"]["matches"]:
        found.append("the leaves' recomputed root is not the signed root")
    found += [f"verify: {problem}" for problem in result["verify"]["problems"]]
    if not result["offline"]["log_ok"]:
        found.append(f"offline log check: {result['offline']['log_output'][:300]}")
    if not result["offline"]["proof_ok"]:
        found.append(f"offline proof check: {result['offline']['proof_output'][:300]}")
    return found


def report(args, result: dict, setup_seconds: float, load_start: list[float]) -> dict:
    append, tables, signing = result["append"], result["tables"], result["signing"]
    inclusion, consistency, root, offline = (result["inclusion"], result["consistency"], result["root"],
                                             result["offline"])
    statement_ms, file_ms = summary(append["statement_ms"], 1), summary(append["file_ms"] or [0.0], 1)
    failures = failures_of(result)
    say()
    say(f"leaves                    {args.leaves:,} ({len(append['statement_ms'])} statements of ≤ {args.batch:,} "
        f"leaves + their file records; rows {append['row_bytes_mean']:.0f} B, documents "
        f"{append['document_bytes_mean'] / 1024:.0f} kB on average; seed {args.seed}); setup {setup_seconds:.1f} s")
    say(f"append                    {append['append_seconds']:8.1f} s in appends ({append['wall_seconds']:.1f} s wall "
        f"with leaf generation)  {args.leaves / append['append_seconds']:,.0f} leaves/s")
    say(f"  per statement append    {line(statement_ms)} (first tenth {append['first_tenth_ms']:.1f}, "
        f"last tenth {append['last_tenth_ms']:.1f})")
    say(f"  per file-record append  {line(file_ms)}")
    say(f"log tables                leaves {tables['mb']['disclosure_logleaf']:,.1f} MB, nodes "
        f"{tables['mb']['disclosure_lognode']:,.1f} MB ({tables['nodes']:,} rows), checkpoints "
        f"{tables['mb']['disclosure_logcheckpoint']:,.1f} MB ({tables['checkpoints']:,}); database "
        f"{tables['mb']['database']:,.1f} MB")
    say(f"peak RSS                  {result['rss_after_append_mb']:.1f} MB after the append; high-water "
        f"{result['rss_after_proofs_mb']:.1f} after proofs, {result['rss_after_root_mb']:.1f} after the root "
        f"recomputation, {result['rss_after_verify_mb']:.1f} after log_problems()")
    say(f"signature alone           {line(signing['sign_ms'])}")
    say(f"checkpoint at full size   {line(signing['checkpoint_ms'])} (key file, edge, root, note, row)")
    say(f"inclusion, {inclusion['samples']:,} leaves     download work {line(inclusion['request_ms'])}")
    say(f"  proof from stored nodes {line(inclusion['proof_ms'])}")
    say(f"  check from its text     {line(inclusion['verify_ms'])}")
    say(f"  size                    {line(inclusion['hashes'], 'hashes')}; "
        f"{line(inclusion['bytes'], 'B')} (.tlog-proof text: the leaf, the hashes, the signed checkpoint)")
    say(f"consistency, {consistency['samples']:,} pairs   proof {line(consistency['proof_ms'])}")
    say(f"  check                   {line(consistency['verify_ms'])}")
    say(f"  size                    {line(consistency['hashes'], 'hashes')}; {line(consistency['bytes'], 'B')}")
    say("proof size by tree size   size        log2   inclusion hashes (mean / max)   consistency hashes (mean / max)")
    for row in result["by_size"]:
        say(f"                          {row['size']:>9,}  {row['log2']:6.2f}   {row['inclusion_hashes']['mean']:6.1f} / "
            f"{row['inclusion_hashes']['max']:<4.0f}                   {row['consistency_hashes']['mean']:6.1f} / "
            f"{row['consistency_hashes']['max']:.0f}")
    say(f"root recomputed           {root['seconds']:.2f} s (read + hash {root['read_and_hash_seconds']:.2f} s, tree "
        f"{root['tree_seconds']:.2f} s) — {'matches the signed root' if root['matches'] else 'DOES NOT MATCH'}")
    say(f"log_problems()            {result['verify']['seconds']:.2f} s, {result['verify']['problem_count']} problems")
    say(f"offline entries file      {offline['entries_mb']:,.1f} MB written in {offline['entries_seconds']:.2f} s "
        f"(the entries view's lines)")
    say(f"offline tlog.py log       {offline['log_seconds']:.2f} s, peak RSS {offline['log_rss_mb']:.1f} MB, "
        f"--previous {offline['previous_size']:,}: {offline['log_output'].splitlines()[0][:120]}")
    say(f"offline tlog.py proof     {offline['proof_seconds']:.3f} s, peak RSS {offline['proof_rss_mb']:.1f} MB: "
        f"{offline['proof_output'][:100]}")
    say(f"load average              {load_start} at start, {result['load_after_append']} after the append, "
        f"{load_average()} at the end (2 cores)")
    say(f"all verified              {'yes' if not failures else 'NO: ' + '; '.join(failures[:5])}")
    return {
        "leaves": args.leaves, "batch": args.batch, "publications": len(append["statement_ms"]),
        "appends": len(append["statement_ms"]) + len(append["file_ms"]), "checkpoints": tables["checkpoints"],
        "append_seconds": round(append["append_seconds"], 2), "append_wall_seconds": round(append["wall_seconds"], 2),
        "leaves_per_second": round(args.leaves / append["append_seconds"]),
        "statement_append_ms": statement_ms, "file_append_ms": file_ms,
        "statement_append_first_tenth_ms": round(append["first_tenth_ms"], 1),
        "statement_append_last_tenth_ms": round(append["last_tenth_ms"], 1),
        "row_bytes_mean": round(append["row_bytes_mean"], 1), "document_bytes_mean": round(append["document_bytes_mean"]),
        "table_mb": tables["mb"], "nodes": tables["nodes"],
        "peak_rss_mb": round(result["rss_after_append_mb"], 1),
        "rss_high_water_mb": {"proofs": round(result["rss_after_proofs_mb"], 1),
                              "root": round(result["rss_after_root_mb"], 1),
                              "verify": round(result["rss_after_verify_mb"], 1)},
        "sign_ms": signing["sign_ms"], "checkpoint_ms": signing["checkpoint_ms"],
        "inclusion": {key: value for key, value in inclusion.items() if key != "failures"},
        "consistency": {key: value for key, value in consistency.items() if key != "failures"},
        "by_size": [{"size": row["size"], "log2": row["log2"], "inclusion_hashes_max": row["inclusion_hashes"]["max"],
                     "inclusion_hashes_mean": row["inclusion_hashes"]["mean"],
                     "consistency_hashes_max": row["consistency_hashes"]["max"],
                     "consistency_hashes_mean": row["consistency_hashes"]["mean"]} for row in result["by_size"]],
        "root": root, "verify_seconds": result["verify"]["seconds"], "verify_problems": result["verify"]["problem_count"],
        "offline": {key: value for key, value in offline.items() if not key.endswith("_output")},
        "load_average": {"start": load_start, "after_append": result["load_after_append"], "end": load_average()},
        "setup_seconds": round(setup_seconds, 1), "migrated": not args.no_migrate, "seed": args.seed,
        "failures": failures[:20], "all_verified": not failures,
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    load_start = load_average()
    workdir = Path(tempfile.mkdtemp(prefix="bench-tlog-", dir=args.workdir))
    created = False
    try:
        database_create(args.db)
        created = True
        setup_seconds = setup(args, workdir)
        say(f"setup: database {args.db} {'migrated' if not args.no_migrate else 'built from the models'}, "
            f"signing key in {workdir} ({setup_seconds:.1f} s, not measured)")
        summary_json = report(args, measure(args, workdir), setup_seconds, load_start)
        if args.keep:
            say(f"kept {workdir}")
        say(json.dumps(summary_json, ensure_ascii=False))
        return 0 if summary_json["all_verified"] else 1
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
        if created and not args.keep_db:
            database_drop(args.db)


if __name__ == "__main__":
    sys.exit(main())
