"""Two imports at once (overlapping people, two years) take turns instead of deadlocking."""
import datetime as dt

import pytest

from assistance.intake.services import settlement_import_create, settlement_import_run
from assistance.models import SettlementImport, SettlementRecord
from benchmarks.synthetic import write_year
from tests.concurrency import run_concurrently


@pytest.mark.django_db(transaction=True)
def test_two_imports_at_once_both_finish(tmp_path, msb):
    this_year = dt.date.today().year
    jobs, paths = [], []
    for year in (this_year - 2, this_year - 1):
        path = tmp_path / f"{year}.csv"
        write_year(path, rows=3000, year=year, seed=1)  # same seed: the same people in both files
        jobs.append(settlement_import_create(year=year, file_name=path.name, acting_user=msb))
        paths.append(path)

    results = run_concurrently(lambda i: settlement_import_run(job=jobs[i], path=paths[i]), 2)
    assert all(isinstance(r, SettlementImport) for r in results), results
    for job in jobs:
        job.refresh_from_db()
        assert job.state == SettlementImport.State.DONE, job.message
        assert SettlementRecord.objects.filter(year=job.year).count() == job.rows_imported > 0
