"""Settlement files bound their memory (the command line and a worker run the same
settlement_import_run): an .xlsx bomb fails its job naming the limit before openpyxl reads it, a
CSV without line ends is refused instead of read whole. Memory measured in a real process."""
import pytest

from assistance.intake.services import settlement_import_create, settlement_import_run
from assistance.models import SettlementImport, SettlementRecord
from tests.assistance.helpers import HEADER, YEAR, rid, settlement_row, write_csv
from tests.core.xlsx_bombs import MEMORY_BOUND_MB, PEAK_MB, bomb, run_measured


@pytest.fixture
def bombs() -> dict:
    return {kind: bomb(kind) for kind in ("inline cell", "shared string")}


_MEASURED = PEAK_MB + """
import sys
from django.core.management import execute_from_command_line
try:
    execute_from_command_line(["manage.py", *sys.argv[1:]])
except SystemExit:
    pass
print("MAXRSS " + str(_peak_mb()))
"""


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["inline cell", "shared string"])
def test_a_settlement_bomb_fails_its_job_with_the_limit_named_and_writes_nothing(bombs, msb, kind):
    job = settlement_import_create(year=YEAR, file_name="bomb.xlsx", acting_user=msb)
    settlement_import_run(job=job, path=bombs[kind])
    job.refresh_from_db()
    assert job.state == SettlementImport.State.FAILED and "32,767 个字符" in job.message
    assert not SettlementRecord.objects.exists()


@pytest.mark.django_db
def test_a_settlement_csv_without_line_ends_is_refused_not_read_whole(tmp_path, msb):
    path = tmp_path / "one-line.csv"
    with open(path, "wb") as handle:
        handle.write(",".join(HEADER).encode() + b"\n")
        for _ in range(12):
            handle.write(b"A" * (1 << 20))
    job = settlement_import_create(year=YEAR, file_name=path.name, acting_user=msb)
    settlement_import_run(job=job, path=path)
    job.refresh_from_db()
    assert job.state == SettlementImport.State.FAILED and "1,048,576 个字符" in job.message


@pytest.mark.django_db
def test_an_ordinary_settlement_file_still_imports(tmp_path, regions, msb):
    job = settlement_import_create(year=YEAR, file_name="year.csv", acting_user=msb)
    settlement_import_run(job=job, path=write_csv(tmp_path / "year.csv", [settlement_row("JS1", rid(1))]))
    job.refresh_from_db()
    assert job.state == SettlementImport.State.DONE and SettlementRecord.objects.count() == 1


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kind", ["inline cell", "shared string"])
def test_the_settlement_command_refuses_a_bomb_in_bounded_memory_and_time(bombs, msb, kind):
    output, peak_mb, seconds = run_measured(_MEASURED, "import_settlements", str(bombs[kind]), "--year", str(YEAR),
                                    "--user", msb.username)
    assert "32,767 个字符" in output, output[-2000:]
    assert peak_mb < MEMORY_BOUND_MB, f"peak {peak_mb} MB"
    assert seconds < 30
    assert SettlementImport.objects.get().state == SettlementImport.State.FAILED


