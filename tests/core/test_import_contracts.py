"""Imports flow one way: the contracts of pyproject.toml's [tool.importlinter] hold — the core
imports no app; donations and assistance never import each other; no app imports disclosure; an
assistance stage imports only the stages before it (intake < review < applications < council <
payouts), its listed exceptions aside. (No module imports itself back: test_import_layers.py.)"""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_import_contracts_hold():
    result = subprocess.run([str(Path(sys.executable).parent / "lint-imports"), "--no-cache"], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout
