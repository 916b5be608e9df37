"""The README's first command on a fresh machine starts with `migrate` on the embedded default
(SQLite), where a table rebuild meets the immutability triggers (tests/test_demo.py reads the story
itself on PostgreSQL; `load_demo` on SQLite is left to `make demo`, to keep the suite's time)."""
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]


def _manage(*args, database: Path, media: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "MEDIA_ROOT": str(media),
           "DJANGO_SETTINGS_MODULE": "fundportal.settings"}
    for name in ("CELERY_BROKER_URL", "REDIS_URL"):  # the embedded default: no broker, no cache server
        env.pop(name, None)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=600)


def test_a_fresh_sqlite_database_migrates_with_every_trigger_in_place(tmp_path):
    database = tmp_path / "db.sqlite3"
    migrated = _manage("migrate", "--noinput", database=database, media=tmp_path / "media")
    assert migrated.returncode == 0, migrated.stderr[-3000:]
    with sqlite3.connect(database) as db:
        triggers = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    # Every immutability trigger the migrations define is there, whatever table rebuilds came after it
    # (assistance_resolution's in 0018, the fund account's in fundportal 0009, …).
    assert {"assistance_resolution_no_update", "assistance_resolution_no_delete", "assistance_resolutionitem_no_insert",
            "donations_receipt_void_only", "donations_receipt_no_delete", "fundportal_ledgerentry_no_update",
            "fundportal_fundaccount_balance_follows_ledger", "disclosure_statement_no_update",
            "disclosure_publicfile_no_delete"} <= triggers
