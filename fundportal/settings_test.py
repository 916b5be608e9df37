"""Test settings: real PostgreSQL and Redis on this machine unless the environment says otherwise."""
import os

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/fundportal")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
os.environ.setdefault("DEBUG", "True")
# pytest-xdist's workers (gw0, gw1, …) each get a Redis db of their own below the suite's: each test
# empties its cache, which must never empty another worker's in the middle of its test.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if _worker.startswith("gw"):
    _base, _, _db = os.environ["REDIS_URL"].rpartition("/")
    os.environ["REDIS_URL"] = f"{_base}/{int(_db) - 1 - int(_worker[2:])}"

from .settings import *  # noqa: E402,F401,F403

CELERY_TASK_ALWAYS_EAGER = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed; tests only
AXES_ENABLED = True
MEDIA_ROOT = VAR_DIR / "test-media"  # noqa: F405
# One test database per test process, so several runs on one machine never drop each other's.
DATABASES["default"]["TEST"] = {"NAME": f"test_fundportal_{os.getpid()}"}  # noqa: F405
PUBLIC_ROOT = VAR_DIR / f"test-public-{os.getpid()}"  # noqa: F405

# The transparency log's signing key for the tests: a test-only key kept with the tests, so every
# worker and every process a test starts signs alike. A key is a file, never a row; tests that need
# another key, or none, override this path.
TLOG_SIGNING_KEY_FILE = BASE_DIR / "tests" / "tlog-test-signing.key"  # noqa: F405
# The rest of the log's settings as the tests expect them, whatever the shell exports (a demo's
# TLOG_WITNESSES, an operator's key): tests that need witnesses start their own.
TLOG_ORIGIN = "cmaf.example.cn/transparency-log"
TLOG_PUBLIC_KEY = ""
TLOG_RETIRED_KEYS: list[str] = []
TLOG_WITNESSES: list[str] = []
TLOG_RETIRED_WITNESSES: list[str] = []
TLOG_WITNESS_QUORUM = 1
TLOG_WITNESS_TIMEOUT = 5.0
TLOG_COSIGN_GRACE = 3600
