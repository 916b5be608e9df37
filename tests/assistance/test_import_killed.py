"""An import is all or nothing: one that fails or is killed half-way (the worker process
terminated) leaves no half-written rows, and can simply be run again."""
import datetime as dt
import os
import signal
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from assistance.importing import people
from assistance.intake.services import settlement_import_create, settlement_import_run
from assistance.models import InsuredPerson, SettlementImport, SettlementImportError, SettlementRecord
from benchmarks.synthetic import write_year
from tests.assistance.helpers import YEAR, rid, run_import, settlement_row, write_csv


def _nothing_written() -> bool:
    return (InsuredPerson.objects.count(), SettlementRecord.objects.count(), SettlementImportError.objects.count()) == (
        0, 0, 0)


@pytest.mark.slow
@pytest.mark.parametrize("first_file", [True, False], ids=["new partition", "merge"])
@pytest.mark.django_db(transaction=True)
def test_an_import_failing_after_people_were_written_rolls_everything_back_and_can_run_again(
        tmp_path, regions, importer, monkeypatch, first_file):
    if not first_file:  # the year already has a row: the file is merged, not loaded as a partition
        run_import(write_csv(tmp_path / "earlier.csv", [settlement_row("JS0", rid(9))]), importer)
    before = _counts()
    path = write_csv(tmp_path / "year.csv", [settlement_row("JS1", rid(1)), settlement_row("JS2", rid(2)),
                                             settlement_row("JS3", rid(3), total="bad")])
    job = settlement_import_create(year=YEAR, file_name=path.name, acting_user=importer)
    people_written = []

    write_people = people.write

    def crash(cursor):
        write_people(cursor)
        cursor.execute("SELECT count(*) FROM assistance_insuredperson")
        people_written.append(cursor.fetchone()[0])
        raise RuntimeError("worker lost")

    monkeypatch.setattr(people, "write", crash)
    with pytest.raises(RuntimeError, match="worker lost"):
        settlement_import_run(job=job, path=path)
    assert people_written == [before[0] + 2]  # the people were in, inside the import's transaction
    assert _counts() == before
    job.refresh_from_db()
    assert job.state == SettlementImport.State.FAILED
    assert job.message == "导入失败：系统内部错误，已全部回滚，没有写入任何数据。请联系管理员后重试。"

    monkeypatch.undo()
    settlement_import_run(job=job, path=path)
    job.refresh_from_db()
    assert (job.state, job.rows_imported, job.rows_rejected, job.people_created) == (
        SettlementImport.State.DONE, 2, 1, 2)
    assert SettlementRecord.objects.count() == before[1] + 2 and job.errors.count() == 1


def _counts() -> tuple[int, int, int]:
    return InsuredPerson.objects.count(), SettlementRecord.objects.count(), SettlementImportError.objects.count()


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _wait_until_alone(timeout: float = 20) -> None:
    """The killed command's server process ends when it notices its client is gone."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while True:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                           "AND pid <> pg_backend_pid()")
            if cursor.fetchone()[0] == 0:
                return
            assert time.monotonic() < deadline, "the killed import's database session did not end"
            time.sleep(0.05)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_an_import_command_killed_half_way_leaves_nothing_and_a_second_run_loads_everything(
        tmp_path, regions, importer):
    path = tmp_path / "year.csv"
    stats = write_year(path, rows=60_000, seed=3, invalid_share=0.002)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "fundportal.settings_test", "DATABASE_URL": _database_url(),
           "REDIS_URL": settings.REDIS_URL, "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "manage.py", "import_settlements", str(path), "--year", str(YEAR), "--json",
               "--user", importer.username]
    process = subprocess.Popen(command, cwd=settings.BASE_DIR, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    try:
        # Kill it while it writes people or settlements, inside its one transaction.
        deadline = time.monotonic() + 60
        job = None
        while True:
            assert process.poll() is None, f"the import ended before it could be killed: {process.stderr.read()}"
            assert time.monotonic() < deadline
            # Its progress is in the row, written beside the import's transaction: seen at once.
            if SettlementImport.objects.filter(phase__in=("写入人员", "写入结算记录")).exists():
                job = SettlementImport.objects.get()
                break
            time.sleep(0.005)
        process.send_signal(signal.SIGKILL)
    finally:
        process.kill()
        process.wait()
    assert process.returncode == -signal.SIGKILL
    _wait_until_alone()

    assert _nothing_written()
    job.refresh_from_db()
    assert job.state == SettlementImport.State.RUNNING  # what a killed worker leaves behind

    # Redelivered at once, the job is left alone: its heartbeat is fresh, it may still be working…
    assert settlement_import_run(job=job, path=path).attempts == 1 and _nothing_written()
    # …until it has said nothing for too long: then the same job simply runs again, once.
    SettlementImport.objects.filter(pk=job.pk).update(
        touched_at=timezone.now() - SettlementImport.STALE_AFTER - dt.timedelta(minutes=1))
    settlement_import_run(job=job, path=path)
    job.refresh_from_db()
    assert job.attempts == 2
    assert (job.state, job.rows_total, job.rows_rejected) == (SettlementImport.State.DONE, stats.rows, stats.invalid)
    assert job.rows_imported == stats.rows - stats.invalid == SettlementRecord.objects.count()
    assert job.people_created == InsuredPerson.objects.count() > 0
