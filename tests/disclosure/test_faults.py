"""Faults, with real processes: a Redis of our own that we stop and start again, and a real Celery
worker that we kill in the middle of a build.

- With Redis down, the public pages, the receipt check and the admin keep working, and a build
  requested meanwhile waits (queued) and runs once Redis is back.
- A worker killed mid-build leaves no partial or duplicate statement; the build runs again.
"""
import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client

from disclosure.content import statement_content
from disclosure.models import Statement
from disclosure.services import period_for, statement_request, statements_requeue
from fundportal.celery import app as celery_app
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Redis:
    """A private redis-server: stopped and started by the test, never the shared one."""

    def __init__(self):
        self.port, self.process = free_port(), None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.process = subprocess.Popen(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                                         "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture
def redis():
    server = Redis()
    server.start()
    yield server
    if server.process.poll() is None:
        server.stop()


@pytest.fixture
def broker(redis, settings):
    """Celery and the cache on the private Redis, tasks sent for real (not run in process)."""
    saved = {key: celery_app.conf[key] for key in ("broker_url", "task_always_eager")}
    celery_app.conf.update(broker_url=f"{redis.url}/0", task_always_eager=False)
    reset_connections()
    settings.CACHES = {"default": {"BACKEND": "fundportal.cache.TolerantRedisCache", "LOCATION": f"{redis.url}/1",
                                   "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1}}}
    yield redis
    celery_app.conf.update(**saved)
    reset_connections()


def reset_connections() -> None:
    """Forget pooled broker connections (Celery's and kombu's registry of them), so the next task
    goes to the broker configured now — and later tests get fresh pools, not closed ones."""
    from kombu import pools

    pools.reset()
    if celery_app._pool is not None:
        celery_app._pool.force_close_all()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def start_worker(redis: Redis, public_root: Path, *, pause: float = 0.0) -> subprocess.Popen:
    database = connection.settings_dict["NAME"]
    env = {**os.environ, "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{database}",
           "CELERY_BROKER_URL": f"{redis.url}/0", "REDIS_URL": f"{redis.url}/1", "PUBLIC_ROOT": str(public_root),
           "DISCLOSURE_BUILD_PAUSE": str(pause), "DJANGO_SETTINGS_MODULE": "fundportal.settings", "DEBUG": "True"}
    return subprocess.Popen(
        [str(Path(sys.executable).parent / "celery"), "-A", "fundportal", "worker", "--pool", "solo",
         "--loglevel", "WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def wait_until(check, seconds: float = 40, what: str = "") -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def june() -> tuple[dt.date, dt.date]:
    return period_for("month", dt.date(2023, 6, 1))


def test_with_redis_down_the_site_keeps_working_and_a_requested_build_runs_once_it_is_back(
        broker, history, finance_a, public_root):
    from tests.disclosure.test_public_pages import publish

    publish("month", dt.date(2023, 5, 1), finance_a)  # something to read while Redis is down
    broker.stop()
    public = Client()
    for url in ("/disclosure/", "/disclosure/statements/", "/disclosure/statements/1/", "/disclosure/verify/",
                "/disclosure/statements/1/income.csv", "/api/public/statements/", "/receipts/verify/"):
        assert public.get(url).status_code == 200, url
    staff = Client()
    staff.post("/admin/login/", {"username": finance_a.username, "password": PASSWORD, "next": "/admin/"})
    assert staff.get("/admin/").status_code == 200
    assert staff.get("/admin/disclosure/statement/").status_code == 200
    started = time.monotonic()
    response = staff.post("/admin/disclosure/statement/add/", {"kind": "month", "day": "2023-06-15"})
    assert response.status_code == 302 and time.monotonic() - started < 10  # no long wait for the broker
    statement = Statement.objects.get(period_start=june()[0], kind="month")
    assert statement.state == Statement.State.QUEUED  # waiting, not lost

    broker.start()
    worker = start_worker(broker, public_root)
    try:
        assert statements_requeue(stale_after=dt.timedelta(0)) == [statement.pk]
        wait_until(lambda: Statement.objects.get(pk=statement.pk).state == Statement.State.BUILT, what="the build")
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)
    assert Statement.objects.get(pk=statement.pk).content == statement_content(*june())


def test_a_worker_killed_in_the_middle_of_a_build_leaves_no_partial_or_duplicate_statement(
        broker, history, finance_a, public_root):
    worker = start_worker(broker, public_root, pause=3)
    statement = statement_request(kind="month", period_start=june()[0], period_end=june()[1], acting_user=finance_a)
    try:
        wait_until(lambda: Statement.objects.filter(pk=statement.pk, state=Statement.State.BUILDING,
                                                    steps_done__gte=1).exists(), what="the build to start")
    finally:
        os.killpg(worker.pid, signal.SIGKILL)  # the worker dies mid-build: no acknowledgement, no cleanup
        worker.wait(timeout=30)
    killed = Statement.objects.get(pk=statement.pk)
    assert (killed.state, killed.content, killed.built_at) == (Statement.State.BUILDING, {}, None)

    worker = start_worker(broker, public_root)
    try:
        assert statements_requeue(stale_after=dt.timedelta(0)) == [statement.pk]
        wait_until(lambda: Statement.objects.get(pk=statement.pk).state == Statement.State.BUILT, what="the rebuild")
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)
    assert Statement.objects.filter(kind="month", period_start=june()[0]).count() == 1
    assert Statement.objects.get(pk=statement.pk).content == statement_content(*june())


def test_with_the_broker_down_a_screening_run_is_accepted_and_waits(broker, msb):
    from assistance.models import ScreeningRun
    from assistance.intake.services import screening_run_create

    broker.stop()
    run = screening_run_create(year=2022, threshold=50000, acting_user=msb)  # no error for the MSB's officer
    assert ScreeningRun.objects.get(pk=run.pk).state == ScreeningRun.State.PENDING
