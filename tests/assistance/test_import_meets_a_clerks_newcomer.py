"""A settlement import and a clerk registering the same newcomer at the same moment: the import
waits for the clerk's row and takes it as it stands — never a unique violation, which would fail
the import and write the ID number into the log. Real threads on PostgreSQL, both loaders."""
import logging
import threading

import pytest
from django.db import transaction

from assistance.importing import python as python_loader
from assistance.models import InsuredPerson, SettlementImport
from assistance.intake.services import insured_person_get_or_create
from fundportal.models import Region
from tests.assistance.helpers import rid, run_import, settlement_row, write_csv
from tests.concurrency import run_concurrently

NEWCOMER = rid(902)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("loader, year_has_rows", [("postgres", False), ("postgres", True), ("python", True)])
def test_an_import_waits_for_a_clerks_newcomer_and_keeps_their_row(tmp_path, regions, importer, loader, year_has_rows,
                                                                    monkeypatch, caplog):
    if loader == "python":
        monkeypatch.setattr("assistance.intake.services._loader", lambda: python_loader)
    if year_has_rows:  # a later file of the year: merged, not loaded as a new partition
        run_import(write_csv(tmp_path / "earlier.csv", [settlement_row("JS0", rid(904), name="钱早")]), importer)
    path = write_csv(tmp_path / "year.csv", [settlement_row("JS1", NEWCOMER, name="王新来"),
                                             settlement_row("JS2", rid(903), name="赵旧人")])
    clerk_inserted, release = threading.Event(), threading.Event()

    def clerk():
        with transaction.atomic():
            insured_person_get_or_create(resident_id=NEWCOMER, name="王新来", region=Region.objects.get(
                code="330381101201"), reason="救助申请人（医保数据中没有）", acting_user=importer)
            clerk_inserted.set()
            release.wait(10)

    def the_import():
        clerk_inserted.wait(10)
        threading.Timer(1.0, release.set).start()  # the import is waiting on the clerk's row by then
        return run_import(path, importer)

    with caplog.at_level(logging.DEBUG):
        results = run_concurrently(lambda i: clerk() if i == 0 else the_import(), 2)
    job = results[1]
    assert isinstance(job, SettlementImport), results
    assert job.state == SettlementImport.State.DONE, job.message
    assert job.rows_imported == 2
    person = InsuredPerson.objects.get(resident_id=NEWCOMER)
    assert person.settlements.count() == 1 and person.name == "王新来"
    assert InsuredPerson.objects.count() == (3 if year_has_rows else 2)
    assert NEWCOMER not in caplog.text
