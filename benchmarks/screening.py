"""Settlement import + screening, side by side with a bare PostgreSQL `\\copy` + `GROUP BY`.

    .venv/bin/python benchmarks/screening.py --rows 1000000 [--seed 2023] [--keep] [--keep-db] [--file-cache DIR]
                                             [--template DB]

What it does, in order (see benchmarks/README.md for the figures and how to read them):

1. Drops and recreates a scratch database (default fundportal_bench), runs `manage.py migrate` (or,
   with --template, copies an already migrated database: the test suite's template) and loads the
   demo's region tree of 瑞安市 and its users (`msb`) — the first half of `load_demo`, without the
   demo's own 2022 settlement year. Not measured.
2. Writes a seeded synthetic year with benchmarks/synthetic.write_year into a temporary directory.
   Timed and reported, but part of neither measurement.
3. (a) Baseline, measured end to end (psql start-up included), as two psql processes:
       copy:     CREATE TABLE (file's columns: text, except the three fund-paid columns, which are
                 always clean in the generated files and so are numeric(14,2)); CREATE INDEX on the
                 raw ID column; `\\copy ... FROM file WITH (FORMAT csv, HEADER true)`.
       group-by: the screening query: local rows only (household region LIKE '330381%'), ID
                 upper-cased with full-width digits folded, 个人自付 cleaned (full-width digits and
                 point folded, everything but 0-9 . - removed) and cast to numeric,
                 GROUP BY ID HAVING sum >= threshold. That is the least cleaning that lets the
                 messy-but-valid cells sum correctly; nothing is validated.
   (b) Portal: the import in a long-lived worker process, as the Celery worker runs it
       (ImportWorker: started before anything is measured; each import timed from the file's name
       sent to its answer; its peak RSS is the process's VmHWM, reset before each file), then
       `manage.py screen --year Y --threshold T --json --user msb` as its own process, start-up
       included (its peak RSS from wait4 by a small launcher, see LAUNCHER). The larger peak is
       reported.
4. Checks the targets (not measured). The bare baseline sums every row, including the few the
   generator made invalid (bad ID checksum, date outside the year, out-of-pocket ≠ total − fund
   paid) that the portal rightly rejects, so its list can differ by a person or two. The check
   therefore recomputes the baseline from the same baseline table with those three row rules
   applied in SQL (an implementation written here, independent of the portal's code), and then
   requires the portal's targets to be exactly that set of people with the same out-of-pocket
   sums, total costs and settlement counts. It also reports how many rows that reference
   excluded vs. how many the portal rejected, and whether every difference between the bare list
   and the portal's list is explained by an excluded row.
5. Prints the figures; the last line is JSON. Exit status 1 when the targets do not match.

Monthly mode (`--files 12`): the same rows (same seed) written to twelve files, one per month of
settlement (synthetic.write_months). Each file, one after the other, is measured side by side with
its own bare baseline: `\copy` of that file into its own indexed table + the GROUP BY over that
table (psql), then the file's import with its month (the portal, in the worker). Then one month
(`--resend`, default 6) is sent again — the same file, which must replace the month, not double
it — and measured the same way. Then the year is screened once, against the bare GROUP BY over
all twelve tables (a UNION ALL view, which the targets check also reads). Ratio per file =
its baseline / its import; the JSON's `ratio` is the worst of them (and of the screening's),
`peak_rss_mb` the largest over every measured process.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import closing
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.import_worker import ImportWorker  # noqa: E402
from benchmarks.synthetic import HEADER, VERSION, Stats, write_months, write_year  # noqa: E402

PG_HOST, PG_PORT, PG_USER = "127.0.0.1", "5432", "postgres"
DB_NAME = r"[a-z_][a-z0-9_]{0,62}"  # --db and --template go into SQL unquoted
PG_LOG = Path("/var/log/postgresql/postgresql-15-main.log")
LOCAL_PREFIX = "330381"  # the demo city, 瑞安市
FW_DIGITS, HW_DIGITS = "０１２３４５６７８９．", "0123456789."

# The generated file's header → (baseline column, type). Fund-paid columns are never messy.
BASELINE_COLUMNS = {
    "结算编号": ("settlement_no", "text"),
    "身份证号": ("resident_id", "text"),
    "姓名": ("name", "text"),
    "户籍地": ("household_region", "text"),
    "参保类型": ("insured_kind", "text"),
    "结算日期": ("settled_on", "text"),
    "医疗机构": ("institution", "text"),
    "是否省内": ("in_province", "text"),
    "医疗总费用": ("total_cost", "text"),
    "基本医保支付": ("fund_basic", "numeric(14,2)"),
    "大病保险支付": ("fund_critical", "numeric(14,2)"),
    "医疗救助支付": ("fund_assistance", "numeric(14,2)"),
    "个人自付（元）": ("out_of_pocket", "text"),
}
TABLE = "baseline_settlement"
# The part of `manage.py load_demo` the benchmark needs: 瑞安市's region tree and the demo users
# (`msb`). Not load_demo itself: it also imports and screens a demo 2022 settlement year, whose
# rows and settlement numbers would mix with the benchmark's.
LOAD_REGIONS_AND_USERS = """
from django.conf import settings
from django.db import transaction
from demo.regions import load_regions
from demo.users import load_users
assert settings.DEBUG, "demo users only on a DEBUG database"
with transaction.atomic():
    load_regions()
    load_users()
"""


def clean_id(column: str) -> str:
    return f"upper(translate({column}, '{FW_DIGITS[:10]}', '{HW_DIGITS[:10]}'))"


def clean_amount(column: str) -> str:
    return f"regexp_replace(translate({column}, '{FW_DIGITS}', '{HW_DIGITS}'), '[^0-9.-]', '', 'g')::numeric"


def copy_sql(path: Path, table: str = TABLE) -> str:
    header = HEADER
    columns = ", ".join(f"{BASELINE_COLUMNS[name][0]} {BASELINE_COLUMNS[name][1]}" for name in header)
    quoted = str(path).replace("'", "''")
    return (f"CREATE TABLE {table} ({columns});\n"
            f"CREATE INDEX {table}_resident_id ON {table} (resident_id);\n"
            f"\\copy {table} FROM '{quoted}' WITH (FORMAT csv, HEADER true)\n")


def group_by_sql(threshold: Decimal, table: str = TABLE) -> str:
    return (f"SELECT {clean_id('resident_id')} AS resident_id, sum({clean_amount('out_of_pocket')}) AS oop\n"
            f"FROM {table} WHERE household_region LIKE '{LOCAL_PREFIX}%'\n"
            f"GROUP BY 1 HAVING sum({clean_amount('out_of_pocket')}) >= {threshold}\n")


def reference_rows_sql(year: int) -> str:
    """The baseline table, each row flagged by the three rules the generator breaks (not timed).

    Written independently of assistance/importing: ID checksum (GB 11643: weights 2^(18-i) mod 11,
    check character '10X98765432'[sum mod 11]), settlement year (the generator's date shapes:
    Y-M-D, Y/M/D, Y年M月D日, YYYYMMDD, Excel serial) and out-of-pocket = total − fund paid ± 0.01.
    """
    checksum = " + ".join(f"substr(rid, {i}, 1)::int * {2 ** (18 - i) % 11}" for i in range(1, 18))
    return f"""
        CREATE TEMP TABLE reference_rows AS
        WITH norm AS MATERIALIZED (
            SELECT {clean_id('resident_id')} AS rid, household_region, btrim(settled_on) AS d,
                   {clean_amount('total_cost')} AS total, coalesce(fund_basic, 0) + coalesce(fund_critical, 0)
                   + coalesce(fund_assistance, 0) AS fund_paid, {clean_amount('out_of_pocket')} AS oop
            FROM {TABLE}
        )
        SELECT n.*,
               CASE WHEN rid !~ '^[0-9]{{17}}[0-9X]$' THEN true
                    ELSE substr('10X98765432', ({checksum}) % 11 + 1, 1) <> substr(rid, 18, 1)
               END AS bad_id,
               CASE WHEN d ~ '^[0-9]{{5}}$' THEN extract(year FROM date '1899-12-30' + d::int)
                    ELSE left(d, 4)::int END <> {int(year)} AS bad_date,
               abs(oop - (total - fund_paid)) > 0.01 AS bad_amount
        FROM norm n
    """


def connect(db: str):
    import psycopg2

    connection = psycopg2.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname=db)
    connection.autocommit = True
    return connection


# ---------------------------------------------------------------------------------------------- helpers

def pg_url(db: str) -> str:
    return f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{db}"


def psql(db: str, sql: str | None = None, *, file: Path | None = None, check: bool = True,
         extra: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    command = ["psql", "-h", PG_HOST, "-p", PG_PORT, "-U", PG_USER, "-d", db, "-X", "-q", "-v", "ON_ERROR_STOP=1",
               *extra]
    command += ["-f", str(file)] if file else ["-c", sql]
    result = subprocess.run(command, capture_output=True, text=True)
    if check and result.returncode:
        raise SystemExit(f"psql failed ({result.returncode}): {result.stderr.strip()}")
    return result


def child_env(db: str) -> dict:
    env = dict(os.environ)
    env.update(DATABASE_URL=pg_url(db), DJANGO_SETTINGS_MODULE="fundportal.settings", DEBUG="True",
               PYTHONUNBUFFERED="1")
    # The command-line import and screening run in process: no broker, an in-process cache.
    for key in ("REDIS_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND"):
        env.pop(key, None)
    return env


# Peak RSS comes from wait4() on the measured process, but Linux counts in a child's ru_maxrss the
# high-water mark of the memory it was forked (or vforked) from — here this script, which has just
# generated the file and is far bigger than a small launcher. So a tiny launcher starts each
# measured process and reports its own child's figures: its own size (~10 MB) is the floor.
LAUNCHER = """
import os, sys, time
started = time.perf_counter()
pid = os.posix_spawn(sys.argv[2], sys.argv[2:], os.environ)
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as out:
    out.write(f"{usage.ru_maxrss} {time.perf_counter() - started}")
sys.exit(os.waitstatus_to_exitcode(status))
"""


def manage(db: str, *args: str, workdir: Path) -> tuple[subprocess.CompletedProcess, float, float]:
    """Run manage.py; return (result, wall seconds, peak RSS MB of that process)."""
    out, err, usage = workdir / "child.out", workdir / "child.err", workdir / "child.rusage"
    command = [sys.executable, str(ROOT / "manage.py"), *args]
    with open(out, "w") as stdout, open(err, "w") as stderr:
        result = subprocess.run([sys.executable, "-c", LAUNCHER, str(usage), *command], cwd=ROOT, env=child_env(db),
                                stdout=stdout, stderr=stderr)
    maxrss_kib, seconds = usage.read_text().split()
    return (subprocess.CompletedProcess(command, result.returncode, out.read_text(), err.read_text()),
            float(seconds), int(maxrss_kib) / 1024)  # ru_maxrss is in KiB on Linux


def run_manage(db: str, *args: str, workdir: Path) -> tuple[str, float, float]:
    result, seconds, rss = manage(db, *args, workdir=workdir)
    if result.returncode:
        raise SystemExit(f"manage.py {' '.join(args)} failed ({result.returncode}):\n"
                         f"{result.stdout[-2000:]}\n{result.stderr[-4000:]}")
    return result.stdout, seconds, rss


def last_json(text: str) -> dict:
    for line in reversed(text.strip().splitlines()):
        line = line.strip()
        if line.startswith("{"):
            return json.loads(line)
    raise SystemExit(f"no JSON line in output:\n{text[-2000:]}")


def parse_rows(text: str) -> list[list[str]]:
    return [line.split("|") for line in text.splitlines() if line]


def slow_statements(db: str, offset: int, limit: int = 15) -> list[tuple[float, str]]:
    """Statements of `db` logged (log_min_duration_statement) since `offset` in the server log."""
    try:
        with open(PG_LOG, "rb") as handle:
            handle.seek(offset)
            text = handle.read().decode("utf-8", "replace")
    except OSError:
        return []
    found = []
    entry = None
    for line in text.splitlines():
        match = re.match(r"^\S+ \S+ \S+ \[\d+\] (\S*)@(\S*) LOG:  duration: ([\d.]+) ms  (?:statement|execute [^:]*): (.*)$",
                         line)
        if match:
            entry = [float(match.group(3)), match.group(4)] if match.group(2) == db else None
            if entry:
                found.append(entry)
        elif entry is not None and line.startswith(("\t", " ")):
            entry[1] += " " + line.strip()
        else:
            entry = None
    found.sort(key=lambda item: -item[0])
    return [(ms, " ".join(sql.split())) for ms, sql in found[:limit]]


def cached_year(directory: Path, *, rows: int, year: int, seed: int) -> tuple[Path, Stats]:
    """The generated file for these parameters from `directory`, written there first if absent."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"settlements_{year}_{rows}_seed{seed}_v{VERSION}.csv"
    sidecar = path.with_suffix(".json")
    if path.exists() and sidecar.exists():
        return path, Stats(**json.loads(sidecar.read_text()))
    stats = write_year(path, rows=rows, year=year, seed=seed)
    sidecar.write_text(json.dumps(stats.__dict__))
    return path, stats


def cached_months(directory: Path, *, rows: int, year: int, seed: int) -> tuple[list[Path], Stats]:
    """The twelve monthly files for these parameters from `directory` (written there if absent)."""
    folder = directory / f"months_{year}_{rows}_seed{seed}_v{VERSION}"
    sidecar = folder / "stats.json"
    if sidecar.exists():
        return sorted(folder.glob("settlements_*.csv")), Stats(**json.loads(sidecar.read_text()))
    paths, stats = write_months(folder, rows=rows, year=year, seed=seed)
    sidecar.write_text(json.dumps(stats.__dict__))
    return paths, stats


def baseline(db: str, path: Path, table: str, threshold: Decimal, workdir: Path) -> tuple[float, float, dict]:
    """The bare side for one file: \\copy into its own indexed table, then the GROUP BY (two psql
    processes, each timed end to end). Returns (copy s, group-by s, bare targets)."""
    copy_file, group_file = workdir / f"{table}_copy.sql", workdir / f"{table}_group_by.sql"
    copy_file.write_text(copy_sql(path, table), encoding="utf-8")
    group_file.write_text(group_by_sql(threshold, table), encoding="utf-8")
    psql(db, "CHECKPOINT")
    started = time.perf_counter()
    psql(db, file=copy_file)
    copy_seconds = time.perf_counter() - started
    started = time.perf_counter()
    grouped = psql(db, file=group_file, extra=("-A", "-t"))
    group_seconds = time.perf_counter() - started
    return copy_seconds, group_seconds, {rid: Decimal(oop) for rid, oop in parse_rows(grouped.stdout)}


def portal_import(worker: ImportWorker, db: str, path: Path, *, year: int, month: int | None
                  ) -> tuple[dict, float, float, float]:
    psql(db, "CHECKPOINT")  # the baseline's dirty pages are not the portal's to write
    imported, seconds, rss, cpu = worker.run(path, year=year, month=month)
    if imported.get("status") != "done":
        raise SystemExit(f"import did not finish: {imported}")
    return imported, seconds, rss, cpu


def monthly(args, worker: ImportWorker, paths: list[Path], workdir: Path, say) -> dict:
    """--files 12: every month's file (and a re-sent month) timed against its own bare baseline."""
    files = []
    for month, path in [*enumerate(paths, start=1), (args.resend, paths[args.resend - 1])]:
        resent = len(files) == 12
        table = f"{TABLE}_resent" if resent else f"{TABLE}_m{month:02d}"
        copy_seconds, group_seconds, _ = baseline(args.db, path, table, args.threshold, workdir)
        imported, seconds, rss, cpu = portal_import(worker, args.db, path, year=args.year, month=month)
        bare = copy_seconds + group_seconds
        files.append({"month": month, "resent": resent, "rows": imported["rows"], "baseline_seconds": round(bare, 3),
                      "baseline_copy_seconds": round(copy_seconds, 3), "portal_seconds": round(seconds, 3),
                      "portal_cpu_seconds": round(cpu, 2), "ratio": round(bare / seconds, 4), "rss_mb": round(rss, 1),
                      "imported": imported["imported"], "rejected": imported["rejected"], "job": imported["job"],
                      "phases": imported.get("phases", {})})
        say(f"  month {month:2d}{' (re-sent)' if resent else '          '} {imported['rows']:>10,} rows  "
            f"bare {bare:7.2f} s (copy {copy_seconds:.2f})  portal {seconds:7.2f} s (CPU {cpu:6.2f} s)  "
            f"ratio {bare / seconds:6.3f}  RSS {rss:6.1f} MB")
        say("      " + "  ".join(f"{phase} {value:.2f}" for phase, value in imported.get("phases", {}).items()))
    union = " UNION ALL ".join(f"SELECT * FROM {TABLE}_m{month:02d}" for month in range(1, 13))
    psql(args.db, f"CREATE VIEW {TABLE} AS {union}")
    return {"files": files}


# ---------------------------------------------------------------------------------------------- main

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, required=True)
    parser.add_argument("--files", type=int, default=1, choices=(1, 12),
                        help="1: one file for the year; 12: the same rows as one file per month, imported one "
                             "after the other (each with --month), then one month re-sent, then screened")
    parser.add_argument("--resend", type=int, default=6, choices=range(1, 13), metavar="MONTH",
                        help="with --files 12: the month sent again at the end (default 6)")
    parser.add_argument("--seed", type=int, default=2023)
    parser.add_argument("--year", type=int, default=2022)
    parser.add_argument("--threshold", type=Decimal, default=Decimal("50000"))
    parser.add_argument("--db", default="fundportal_bench",
                        help="scratch database: dropped and recreated (refused while anyone is connected to it)")
    parser.add_argument("--template", default=None,
                        help="create the scratch database as a copy of this migrated database instead of running "
                             "migrate (the test suite's fundportal_tpl_…; nobody may be connected to it)")
    parser.add_argument("--keep", action="store_true", help="keep the generated CSV (and its directory)")
    parser.add_argument("--keep-db", action="store_true", help="leave the scratch database in place afterwards")
    parser.add_argument("--workdir", type=Path, default=None, help="where to write the CSV (default: a temp dir)")
    parser.add_argument("--file-cache", type=Path, default=None,
                        help="keep generated files here and reuse them on later runs with the same rows, seed and "
                             "year (generating 10 M rows takes about two minutes)")
    parser.add_argument("--log-ms", type=int, default=0,
                        help="set log_min_duration_statement for the portal's run and list the slow statements")
    args = parser.parse_args(argv)
    if not re.fullmatch(DB_NAME, args.db):
        parser.error("--db: lower-case letters, digits and _ only")
    if args.template and not re.fullmatch(DB_NAME, args.template):
        parser.error("--template: lower-case letters, digits and _ only")
    threshold = args.threshold

    workdir = Path(tempfile.mkdtemp(prefix="bench-screening-", dir=args.workdir))
    csv_path = workdir / f"settlements_{args.year}_{args.rows}.csv"
    say = lambda text="": print(text, flush=True)  # noqa: E731
    created = False
    try:
        # 1. Scratch database.
        started = time.perf_counter()
        busy = psql("postgres", "SELECT count(*) FROM pg_stat_activity WHERE datname = "
                                f"'{args.db}'", extra=("-A", "-t")).stdout.strip()
        if busy != "0":  # another run (or someone) is using it: never pull it from under them
            raise SystemExit(f"database {args.db} is in use ({busy} sessions): pick another with --db")
        psql("postgres", f"DROP DATABASE IF EXISTS {args.db}")
        # --template: a copy of a migrated database (seconds; migrate takes most of a minute).
        psql("postgres", f"CREATE DATABASE {args.db}" + (f" TEMPLATE {args.template}" if args.template else ""))
        created = True
        if not args.template:
            run_manage(args.db, "migrate", "--noinput", workdir=workdir)
        run_manage(args.db, "shell", "-c", LOAD_REGIONS_AND_USERS, workdir=workdir)
        _, _, floor_rss = run_manage(args.db, "check", workdir=workdir)  # what Django alone takes
        made = f"copied from {args.template}" if args.template else "migrated"
        say(f"setup: database {args.db} {made}, demo regions and users loaded in {time.perf_counter() - started:.1f} s")

        # 2. The file(s).
        started = time.perf_counter()
        paths = [csv_path]
        if args.files == 12:
            paths, stats = (cached_months(args.file_cache, rows=args.rows, year=args.year, seed=args.seed)
                            if args.file_cache else write_months(workdir / "months", rows=args.rows, year=args.year,
                                                                 seed=args.seed))
        elif args.file_cache:
            csv_path, stats = cached_year(args.file_cache, rows=args.rows, year=args.year, seed=args.seed)
            paths = [csv_path]
        else:
            stats = write_year(csv_path, rows=args.rows, year=args.year, seed=args.seed)
        generation_seconds = time.perf_counter() - started
        size_mb = sum(path.stat().st_size for path in paths) / 1e6
        say(f"generated {stats.rows:,} rows ({stats.messy:,} messy, {stats.invalid:,} invalid), {size_mb:.1f} MB "
            f"in {len(paths)} file(s), {generation_seconds:.1f} s (not measured) → {paths[0].parent}")

        log_offset = PG_LOG.stat().st_size if args.log_ms and PG_LOG.exists() else 0
        if args.log_ms:
            psql("postgres", f"ALTER DATABASE {args.db} SET log_min_duration_statement = {int(args.log_ms)}")
        worker = ImportWorker(child_env(args.db), workdir)  # started (and its start-up) before anything is measured
        try:
            if args.files == 1:
                # 3a. Baseline: bare \copy into an indexed table, then the screening GROUP BY.
                baseline_copy, baseline_group, bare_targets = baseline(args.db, csv_path, TABLE, threshold, workdir)
                # 3b. Portal: the import in the worker, then screening as a fresh process.
                imported, import_seconds, import_rss, import_cpu = portal_import(worker, args.db, csv_path,
                                                                                 year=args.year, month=None)
                jobs, files = [imported["job"]], None
            else:
                say(f"{args.rows:,} rows in 12 monthly files, then month {args.resend} re-sent (each: bare \\copy "
                    f"+ GROUP BY of that file, then the portal's import of it):")
                files = monthly(args, worker, paths, workdir, say)["files"]
        finally:
            worker.close()
        if files:
            baseline_copy = sum(item["baseline_copy_seconds"] for item in files[:12])
            import_seconds = sum(item["portal_seconds"] for item in files[:12])
            import_cpu = sum(item["portal_cpu_seconds"] for item in files[:12])
            import_rss = max(item["rss_mb"] for item in files)
            imported = {"imported": sum(item["imported"] for item in files[:12]),
                        "people_created": None}
            jobs = [item["job"] for item in files[:12]]
            started = time.perf_counter()
            grouped = psql(args.db, group_by_sql(threshold), extra=("-A", "-t"))
            baseline_group = time.perf_counter() - started  # the year's GROUP BY over all twelve tables
            bare_targets = {rid: Decimal(oop) for rid, oop in parse_rows(grouped.stdout)}
        baseline_seconds = baseline_copy + baseline_group
        out, screen_seconds, screen_rss = run_manage(
            args.db, "screen", "--year", str(args.year), "--threshold", str(threshold), "--json", "--user", "msb",
            workdir=workdir)
        screened = last_json(out)
        if args.log_ms:
            psql("postgres", f"ALTER DATABASE {args.db} RESET log_min_duration_statement")
        portal_seconds = import_seconds + screen_seconds
        peak_rss_mb = max(import_rss, screen_rss)

        # 4. Same targets? (not measured)
        with closing(connect(args.db)) as connection, connection.cursor() as cursor:
            cursor.execute("SELECT p.resident_id, t.out_of_pocket, t.total_cost, t.settlement_count "
                           "FROM assistance_warningtarget t JOIN assistance_insuredperson p ON p.id = t.person_id "
                           "WHERE t.run_id = %s", [screened["run"]])
            portal = {rid: (oop, total, count) for rid, oop, total, count in cursor.fetchall()}
            cursor.execute("SELECT count(DISTINCT (job_id, row_number)) FROM assistance_settlementimporterror "
                           "WHERE job_id = ANY(%s)", [jobs])
            rejected_by_portal = cursor.fetchone()[0]
            cursor.execute("SELECT count(*) FROM assistance_settlementrecord WHERE year = %s", [args.year])
            rows_stored = cursor.fetchone()[0]
            started = time.perf_counter()
            cursor.execute("SET work_mem = '256MB'")
            cursor.execute(reference_rows_sql(args.year))
            cursor.execute("SELECT count(*) FILTER (WHERE bad_id OR bad_date OR bad_amount), "
                           "count(*) FILTER (WHERE bad_id), count(*) FILTER (WHERE bad_date), "
                           "count(*) FILTER (WHERE bad_amount) FROM reference_rows")
            excluded_rows, bad_id, bad_date, bad_amount = cursor.fetchone()
            cursor.execute(f"SELECT rid, sum(oop), sum(total), count(*) FROM reference_rows "
                           f"WHERE NOT (bad_id OR bad_date OR bad_amount) AND household_region LIKE '{LOCAL_PREFIX}%%' "
                           f"GROUP BY rid HAVING sum(oop) >= %s", [threshold])
            reference = {rid: (oop, total, count) for rid, oop, total, count in cursor.fetchall()}
            cursor.execute("SELECT DISTINCT rid FROM reference_rows WHERE bad_id OR bad_date OR bad_amount")
            touched = {rid for (rid,) in cursor.fetchall()}
            check_seconds = time.perf_counter() - started
        targets_match = reference == portal
        bare_diff = set(bare_targets) ^ set(portal)
        bare_explained = bare_diff <= touched
        rejected_match = excluded_rows == rejected_by_portal
        rows_match = rows_stored == args.rows - excluded_rows  # a re-sent month replaced, never doubled
        screen_ratio = baseline_group / screen_seconds
        worst = (min([item["ratio"] for item in files] + [screen_ratio]) if files
                 else baseline_seconds / portal_seconds)

        # 5. Figures.
        say()
        say(f"rows                      {args.rows:,} ({size_mb:.1f} MB CSV in {len(paths)} file(s); seed {args.seed}, "
            f"year {args.year})")
        say(f"baseline (psql)           {baseline_seconds:8.2f} s  = \\copy into indexed table(s) "
            f"{baseline_copy:.2f} s "
            f"+ GROUP BY {baseline_group:.2f} s   {args.rows / baseline_seconds:,.0f} rows/s")
        say(f"portal                    {portal_seconds:8.2f} s  = import {import_seconds:.2f} s "
            f"({args.rows / import_seconds:,.0f} rows/s; CPU {import_cpu:.2f} s: worker + its backend) + screen {screen_seconds:.2f} s (in-process "
            f"{screened['seconds']:.2f} s)   {args.rows / portal_seconds:,.0f} rows/s")
        if not files:
            say("import phases             " + "  ".join(f"{phase} {value:.2f} s"
                                                      for phase, value in imported.get("phases", {}).items()))
        say(f"ratio baseline/portal     {baseline_seconds / portal_seconds:8.3f}   (target ≥ 0.75)")
        if files:
            say(f"worst ratio               {worst:8.3f}   (per file: its bare copy + GROUP BY / its import; "
                f"screening: "
                f"the year's bare GROUP BY / screen = {screen_ratio:.3f})")
        say(f"peak RSS                  {peak_rss_mb:8.1f} MB (import {import_rss:.1f}, screen {screen_rss:.1f}; "
            f"Django alone {floor_rss:.1f}; target < 300 MB)")
        say(f"portal import             imported {imported['imported']:,}, rows stored for the year {rows_stored:,}"
            f"{'' if rows_match else '   ← NOT rows − invalid rows'}")
        say(f"targets                   bare baseline {len(bare_targets):,}, reference (baseline minus invalid rows) "
            f"{len(reference):,}, portal {len(portal):,}")
        say(f"invalid rows              reference excluded {excluded_rows:,} (bad ID {bad_id}, date outside year "
            f"{bad_date}, amounts inconsistent {bad_amount}); portal rejected {rejected_by_portal:,}; "
            f"generator wrote {stats.invalid:,}" + ("" if rejected_match else "   ← MISMATCH"))
        say(f"bare vs portal            {len(bare_diff)} people differ" + (
            "" if not bare_diff else ", each has an excluded row" if bare_explained
            else ", NOT all explained by excluded rows"))
        say(f"targets match             {'yes' if targets_match else 'NO'} (same people, out-of-pocket sums, "
            f"total costs and settlement counts; check took {check_seconds:.1f} s, not measured)")
        if not targets_match:
            only_ref, only_portal = set(reference) - set(portal), set(portal) - set(reference)
            differing = [rid for rid in set(reference) & set(portal) if reference[rid] != portal[rid]]
            say(f"  only in reference: {sorted(only_ref)[:10]}  only in portal: {sorted(only_portal)[:10]}  "
                f"figures differ: {[(rid, reference[rid], portal[rid]) for rid in sorted(differing)[:5]]}")
        if args.log_ms:
            say(f"\nportal statements ≥ {args.log_ms} ms (log_min_duration_statement):")
            for ms, sql in slow_statements(args.db, log_offset):
                say(f"  {ms / 1000:8.2f} s  {sql[:150]}")
        if args.keep:
            say(f"kept {paths[0].parent}")
        say(json.dumps({
            "rows": args.rows, "files": args.files, "ratio": round(worst, 4), "peak_rss_mb": round(peak_rss_mb, 1),
            "baseline_seconds": round(baseline_seconds, 3), "portal_seconds": round(portal_seconds, 3),
            "total_ratio": round(baseline_seconds / portal_seconds, 4), "screen_ratio": round(screen_ratio, 4),
            "targets": len(portal), "targets_match": targets_match, "rows_stored": rows_stored,
            "rows_match": rows_match, "file_mb": round(size_mb, 1), "generation_seconds": round(generation_seconds, 2),
            "baseline_copy_seconds": round(baseline_copy, 3), "baseline_group_by_seconds": round(baseline_group, 3),
            "import_seconds": round(import_seconds, 3), "import_cpu_seconds": round(import_cpu, 2),
            **({} if files else {"import_phases": imported.get("phases", {})}),
            "screen_seconds": round(screen_seconds, 3),
            "import_rss_mb": round(import_rss, 1), "screen_rss_mb": round(screen_rss, 1),
            "django_floor_rss_mb": round(floor_rss, 1),
            "baseline_targets": len(bare_targets), "reference_targets": len(reference),
            "bare_differences_explained": bare_explained, "rejected": rejected_by_portal,
            "reference_excluded": excluded_rows, "rejected_match": rejected_match, "seed": args.seed,
            **({"per_file": [{key: item[key] for key in ("month", "resent", "rows", "baseline_seconds", "portal_seconds",
                                                         "portal_cpu_seconds", "ratio", "rss_mb", "phases")}
                             for item in files]}
               if files else {}),
        }))
        return 0 if targets_match and rows_match else 1
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
        if created and not args.keep_db:
            psql("postgres", f"DROP DATABASE IF EXISTS {args.db}", check=False)


if __name__ == "__main__":
    sys.exit(main())
