"""A year's first file is loaded as new monthly leaves (rows in a bare table per month, indexes
built once, the tables swapped in). The result must be indistinguishable from any other partition, and the cases
the swap cannot handle must fall back to the merge, with the same outcome."""
import logging
import time

import pytest
from django.db import connection

from assistance.importing import merge, partition
from assistance.models import SettlementRecord
from tests.assistance.helpers import YEAR, errors_of, rid, run_import, settlement_row, write_csv

pytestmark = pytest.mark.django_db


def _oid(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::regclass::oid", [table])
        return cursor.fetchone()[0]


def _shape(year: int, month: int = 3) -> dict:
    """A month leaf's indexes, constraints and attachment, with its own name written as TABLE."""
    table = f"assistance_settlementrecord_y{year}_m{month:02d}"
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [table])
        indexes = {name.replace(table, "TABLE"): definition.replace(table, "TABLE")
                   for name, definition in cursor.fetchall()}
        cursor.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass",
                       [table])
        constraints = {name.replace(table, "TABLE"): definition for name, definition in cursor.fetchall()}
        cursor.execute("SELECT pg_get_expr(relpartbound, oid) FROM pg_class WHERE oid = %s::regclass", [table])
        bound = cursor.fetchone()[0].replace(str(year), "YEAR")
    return {"indexes": indexes, "constraints": constraints, "bound": bound}


def test_a_years_first_file_becomes_a_partition_like_every_other(tmp_path, regions, importer):
    before = _oid(f"assistance_settlementrecord_y{YEAR}_m03")
    job = run_import(write_csv(tmp_path / "year.csv", [settlement_row("JS1", rid(1)), settlement_row("JS2", rid(2))]),
                     importer)
    assert (job.state, job.rows_imported) == (job.State.DONE, 2)
    assert _oid(f"assistance_settlementrecord_y{YEAR}_m03") != before  # a new table took the empty one's place
    assert _shape(YEAR) == _shape(YEAR + 1)
    assert SettlementRecord.objects.filter(year=YEAR).count() == 2
    # Ids come from the table's own identity, so later rows (the merge path) never collide.
    second = run_import(write_csv(tmp_path / "more.csv", [settlement_row("JS3", rid(3))]), importer)
    assert second.rows_imported == 1
    ids = list(SettlementRecord.objects.order_by("id").values_list("id", flat=True))
    assert len(set(ids)) == 3 and ids == sorted(ids)


def test_a_first_file_repeating_a_settlement_number_is_merged_and_the_repeat_reported(
        tmp_path, regions, importer, monkeypatch):
    merged = _count_merges(monkeypatch)
    job = run_import(write_csv(tmp_path / "year.csv", [
        settlement_row("JS1", rid(1)), settlement_row("JS2", rid(2)), settlement_row("JS1", rid(3))]), importer)
    assert merged == [1]
    assert (job.rows_imported, job.rows_rejected) == (2, 1)
    assert errors_of(job) == {(4, "结算编号", "结算编号 JS1 与第 2 行重复")}
    assert _shape(YEAR) == _shape(YEAR + 1)


def test_a_year_without_its_own_partition_is_merged_into_the_default_one(tmp_path, regions, importer):
    year = 2017  # partitions exist for 2018–2035
    with connection.cursor() as cursor:
        assert not partition.is_empty(cursor, year)
    path = write_csv(tmp_path / "old.csv", [settlement_row("JS1", rid(1), settled_on=f"{year}-03-05")])
    job = run_import(path, importer, year=year)
    assert (job.state, job.rows_imported) == (job.State.DONE, 1), job.message
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM assistance_settlementrecord_default")
        assert cursor.fetchone()[0] == 1


def test_ids_in_other_digits_and_nul_cells_are_rejected_rows_not_a_failed_import(tmp_path, regions, importer):
    """Python reads ٣ as 3; the database does not: such an ID must be a rejected row, not a crash.
    A NUL cannot be stored: also a rejected row."""
    arabic = rid(2).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    job = run_import(write_csv(tmp_path / "odd.csv", [
        settlement_row("JS1", rid(1)), settlement_row("JS2", arabic), settlement_row("JS3", rid(3), name="张\x00三")]),
        importer)
    assert (job.state, job.rows_imported, job.rows_rejected) == (job.State.DONE, 1, 2), job.message
    assert {(line, column) for line, column, _reason in errors_of(job)} == {(3, "身份证号"), (4, "姓名")}


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_swap_waits_politely_for_a_long_reader_and_gives_up_cleanly(tmp_path, regions, importer, monkeypatch):
    """While someone reads the settlement table the swap cannot happen; the import asks for the
    lock a few seconds at a time (new readers are not queued behind it) and, past its patience,
    fails with a clear message and leaves nothing."""
    import psycopg2

    monkeypatch.setattr(partition, "SWAP_ATTEMPT_SECONDS", 1)
    monkeypatch.setattr(partition, "SWAP_PATIENCE", 2)
    db = connection.settings_dict
    reader = psycopg2.connect(host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"],
                              dbname=db["NAME"], password=db["PASSWORD"] or None)
    try:
        with reader.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM assistance_settlementrecord")  # holds ACCESS SHARE until commit
        job = run_import(write_csv(tmp_path / "year.csv", [settlement_row("JS1", rid(1))]), importer)
        assert (job.state, job.message) == (job.State.FAILED, "结算数据正被长时间查询占用，导入已全部回滚，请稍后重新导入")
        assert not SettlementRecord.objects.exists()
        reader.commit()
        job = run_import(write_csv(tmp_path / "year.csv", [settlement_row("JS1", rid(1))]), importer)
        assert (job.state, job.rows_imported) == (job.State.DONE, 1)
    finally:
        reader.close()


def test_a_first_file_repeating_a_number_in_another_month_is_merged_and_the_repeat_reported(
        tmp_path, regions, importer, monkeypatch):
    """Each month's leaf has its own unique index, so a repeat across two months of one file is
    only seen by the spool's hashes: without them both rows would be stored."""
    merged = _count_merges(monkeypatch)
    job = run_import(write_csv(tmp_path / "year.csv", [
        settlement_row("JS1", rid(1), settled_on="2022-01-10"), settlement_row("JS2", rid(2)),
        settlement_row("JS1", rid(3), settled_on="2022-09-10")]), importer)
    assert merged == [1]
    assert (job.rows_imported, job.rows_rejected) == (2, 1)
    assert errors_of(job) == {(4, "结算编号", "结算编号 JS1 与第 2 行重复")}


def _count_merges(monkeypatch) -> list:
    """A list that gets an item each time a file is merged rather than loaded as new leaves."""
    original, merged = merge.load, []

    def spy(*args, **kwargs):
        merged.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(merge, "load", spy)
    return merged


def test_an_import_logs_the_seconds_of_each_phase(tmp_path, regions, importer, caplog):
    """Where a slow import's time went, without a profiler: the log names each phase with its
    seconds (the benchmark reports them per file), and they add up to no more than the import took."""
    caplog.set_level(logging.INFO, logger="assistance.intake.services")
    path = write_csv(tmp_path / "03.csv", [settlement_row("JS1", rid(1)), settlement_row("JS2", rid(2))])
    started = time.monotonic()
    job = run_import(path, importer)
    took = time.monotonic() - started
    [record] = [r for r in caplog.records if r.getMessage().startswith(f"settlement import {job.pk}:")]
    assert {"准备", "校验", "写入人员", "写入结算记录", "建立索引", "切换分区", "提交"} <= set(record.phases)
    assert all(seconds >= 0 for seconds in record.phases.values())
    assert 0 < sum(record.phases.values()) <= took
    assert "校验" in record.getMessage() and "秒" in record.getMessage()
