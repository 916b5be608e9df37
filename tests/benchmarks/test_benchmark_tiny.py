"""The screening benchmark still runs end to end (tiny size; speed is never asserted here)."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
KEYS = {"rows", "baseline_seconds", "portal_seconds", "ratio", "peak_rss_mb", "targets", "targets_match"}


def _from(template: str | None) -> list[str]:
    """The scratch database as a copy of the suite's migrated template: migrate would take most of a
    minute per run. (A suite on SQLite has no template: the script migrates its database itself.)"""
    return ["--template", template] if template else []


@pytest.mark.slow
@pytest.mark.skipif(subprocess.run(["which", "psql"], capture_output=True).returncode != 0, reason="needs psql")
def test_benchmark_runs_and_finds_the_same_targets(migrated_template):
    database = f"fundportal_bench_test_{os.getpid()}"  # its own scratch database, dropped afterwards
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "screening.py"), "--rows", "3000", "--seed", "7",
         "--threshold", "20000", "--db", database,  # a lower bar: a few thousand rows still yield targets
         *_from(migrated_template)],
        cwd=ROOT, capture_output=True, text=True, timeout=180,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert KEYS <= summary.keys()
    assert summary["rows"] == 3000
    assert summary["targets_match"] is True
    assert summary["targets"] >= 1  # a run with nobody over the threshold would prove nothing
    assert summary["rejected"] == summary["reference_excluded"] > 0
    assert summary["peak_rss_mb"] > 0 and summary["baseline_seconds"] > 0 and summary["portal_seconds"] > 0


@pytest.mark.slow
@pytest.mark.skipif(subprocess.run(["which", "psql"], capture_output=True).returncode != 0, reason="needs psql")
def test_benchmark_in_monthly_files_finds_the_same_targets_and_the_resent_month_does_not_double(migrated_template):
    database = f"fundportal_bench_months_{os.getpid()}"
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "screening.py"), "--rows", "3000", "--seed", "7",
         "--threshold", "20000", "--db", database, "--files", "12", "--resend", "3", *_from(migrated_template)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert KEYS <= summary.keys()
    assert (summary["files"], summary["targets_match"], summary["rows_match"]) == (12, True, True)
    assert summary["targets"] >= 1
    assert summary["rejected"] == summary["reference_excluded"] > 0
    assert [item["month"] for item in summary["per_file"]] == [*range(1, 13), 3]
    assert summary["ratio"] == min([item["ratio"] for item in summary["per_file"]] + [summary["screen_ratio"]])
