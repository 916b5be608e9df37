"""`manage.py check --deploy` with production settings reports nothing: no warning, none silenced.
Run in a subprocess with the environment docker-compose.yml gives the web container."""
import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _production_environment() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "PYTEST"))}
    env.update({
        "DJANGO_SETTINGS_MODULE": "fundportal.settings",
        "DEBUG": "False",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "fund.example.org",
        "CSRF_TRUSTED_ORIGINS": "https://fund.example.org",
        "SITE_URL": "https://fund.example.org",
        "DATABASE_URL": os.environ.get("DATABASE_URL", "postgres://fundportal@127.0.0.1:5432/fundportal"),
        "REDIS_URL": "redis://127.0.0.1:6379/1",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    })
    return env


def test_check_deploy_passes_with_no_warning_under_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=_production_environment(), capture_output=True, text=True, timeout=300,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues (0 silenced)." in output, output
