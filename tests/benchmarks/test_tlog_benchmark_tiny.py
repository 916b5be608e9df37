"""The transparency log benchmark still runs end to end, and everything it checks passes (tiny size;
speed is never asserted here)."""
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
KEYS = {"leaves", "append_seconds", "leaves_per_second", "statement_append_ms", "file_append_ms", "table_mb",
        "peak_rss_mb", "sign_ms", "checkpoint_ms", "inclusion", "consistency", "by_size", "root",
        "verify_seconds", "verify_problems", "offline", "load_average", "failures", "all_verified"}


@pytest.mark.slow
@pytest.mark.skipif(subprocess.run(["which", "psql"], capture_output=True).returncode != 0, reason="needs psql")
def test_tlog_benchmark_runs_and_every_check_passes():
    database = f"fp_tlogbench_test_{os.getpid()}"  # its own scratch database, dropped afterwards
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "tlog.py"), "--leaves", "5000", "--samples", "100",
         "--scale-samples", "20", "--db", database, "--no-migrate"],  # no migrate: tables from the models
        cwd=ROOT, capture_output=True, text=True, timeout=180,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert KEYS <= summary.keys()
    assert summary["leaves"] == 5000 and summary["root"]["leaves"] == 5000
    assert summary["all_verified"] is True and summary["failures"] == []
    assert summary["root"]["matches"] is True and summary["verify_problems"] == 0
    assert summary["offline"]["log_ok"] is True and summary["offline"]["proof_ok"] is True
    assert summary["inclusion"]["samples"] == summary["consistency"]["samples"] == 100
    assert [row["size"] for row in summary["by_size"]] == [1000, 5000]
    for row in summary["by_size"]:  # logarithmic: a path is at most the tree's depth
        assert row["inclusion_hashes_max"] <= math.ceil(math.log2(row["size"]))
        assert row["consistency_hashes_max"] <= math.ceil(math.log2(row["size"])) + 1
