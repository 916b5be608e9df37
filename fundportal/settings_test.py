"""Test settings: real PostgreSQL and Redis on this machine unless the environment says otherwise."""
import os

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/fundportal")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
os.environ.setdefault("DEBUG", "True")

from .settings import *  # noqa: E402,F401,F403

CELERY_TASK_ALWAYS_EAGER = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed; tests only
AXES_ENABLED = True
MEDIA_ROOT = VAR_DIR / "test-media"  # noqa: F405
# One test database per test process, so several runs on one machine never drop each other's.
DATABASES["default"]["TEST"] = {"NAME": f"test_fundportal_{os.getpid()}"}  # noqa: F405
PUBLIC_ROOT = VAR_DIR / f"test-public-{os.getpid()}"  # noqa: F405
