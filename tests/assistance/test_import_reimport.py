"""Re-importing is safe: the same file changes nothing; a corrected file replaces the rows it
repeats (same settlement number) and leaves the others; a person is never duplicated."""
from decimal import Decimal

import pytest

from assistance.intake.services import settlement_import_create, settlement_import_run
from assistance.models import InsuredPerson, SettlementImport, SettlementRecord
from tests.assistance.helpers import YEAR, errors_of, only_record, rid, run_import, settlement_row, write_csv

pytestmark = pytest.mark.django_db

FIELDS = ["id", "year", "settlement_no", "person_id", "settled_on", "institution", "in_province", "total_cost",
          "fund_basic", "fund_critical", "fund_assistance", "out_of_pocket", "import_job_id"]


def _records() -> list[tuple]:
    return list(SettlementRecord.objects.order_by("settlement_no").values_list(*FIELDS))


def _people() -> list[tuple]:
    return list(InsuredPerson.objects.order_by("resident_id").values_list(
        "id", "resident_id", "name", "region_id", "is_local", "insured_kind", "is_deceased"))


def _year_rows():
    return [settlement_row("JS1", rid(1), name="张三", total="1000", basic="600", out_of_pocket="400"),
            settlement_row("JS2", rid(1), name="张三", total="2000", basic="1500", out_of_pocket="500"),
            settlement_row("JS3", rid(2), name="李四", region="马屿镇"),
            settlement_row("JS4", rid(3), total="bad")]


def test_importing_the_same_file_again_changes_nothing(tmp_path, regions, importer):
    path = write_csv(tmp_path / "year.csv", _year_rows())
    first = run_import(path, importer)
    assert (first.rows_imported, first.rows_rejected, first.rows_unchanged, first.people_created) == (3, 1, 0, 2)
    records, people = _records(), _people()

    second = run_import(path, importer)
    assert second.state == SettlementImport.State.DONE
    assert (second.rows_imported, second.rows_unchanged, second.rows_rejected, second.people_created) == (0, 3, 1, 0)
    assert _records() == records  # same ids, same values, still attributed to the first import
    assert _people() == people
    assert errors_of(second) == errors_of(first) == {(5, "医疗总费用", "金额“bad”不是有效数字")}


def test_a_corrected_file_replaces_the_rows_it_repeats_and_leaves_the_others(tmp_path, regions, importer):
    first = run_import(write_csv(tmp_path / "year.csv", _year_rows()), importer)
    untouched = SettlementRecord.objects.get(settlement_no="JS2")
    corrected = write_csv(tmp_path / "corrected.csv", [
        settlement_row("JS1", rid(1), name="张三丰", total="1000", basic="500", out_of_pocket="500"),  # amount fixed
        settlement_row("JS3", rid(2), name="李四", region="马屿镇"),                                  # identical
        settlement_row("JS4", rid(3), name="王五", total="800", basic="300", out_of_pocket="500"),    # now valid
    ])
    second = run_import(corrected, importer)
    assert (second.rows_imported, second.rows_unchanged, second.rows_rejected, second.people_created) == (2, 1, 0, 1)
    js1 = only_record("JS1")
    assert (js1.fund_basic, js1.out_of_pocket, js1.import_job_id) == (Decimal("500.00"), Decimal("500.00"), second.pk)
    assert js1.person.name == "张三丰"  # the person is updated, not duplicated
    assert only_record("JS3").import_job_id == first.pk
    assert only_record("JS4").import_job_id == second.pk
    assert SettlementRecord.objects.filter(settlement_no="JS2").values_list(*FIELDS).get() == tuple(
        getattr(untouched, field) for field in FIELDS)
    assert InsuredPerson.objects.count() == 3
    assert SettlementRecord.objects.filter(year=YEAR).count() == 4


def test_a_settlement_moved_to_another_person_by_a_corrected_file_follows_it(tmp_path, regions, importer):
    run_import(write_csv(tmp_path / "year.csv", [settlement_row("JS1", rid(1))]), importer)
    run_import(write_csv(tmp_path / "fixed.csv", [settlement_row("JS1", rid(2), name="李四")]), importer)
    assert only_record("JS1").person.resident_id == rid(2)
    assert SettlementRecord.objects.count() == 1


def test_the_same_settlement_number_in_another_year_is_another_settlement(tmp_path, regions, importer):
    run_import(write_csv(tmp_path / "2022.csv", [settlement_row("JS1", rid(1))]), importer, year=2022)
    run_import(write_csv(tmp_path / "2021.csv", [settlement_row("JS1", rid(1), settled_on="2021-06-01")]), importer,
               year=2021)
    assert sorted(SettlementRecord.objects.values_list("year", "settlement_no")) == [(2021, "JS1"), (2022, "JS1")]
    assert InsuredPerson.objects.count() == 1


def test_a_deceased_mark_is_kept_when_a_later_file_does_not_repeat_it(tmp_path, regions, importer):
    run_import(write_csv(tmp_path / "a.csv", [settlement_row("JS1", rid(1), status="死亡")]), importer)
    run_import(write_csv(tmp_path / "b.csv", [settlement_row("JS2", rid(1), status="")]), importer)
    assert InsuredPerson.objects.get().is_deceased is True


def test_a_person_is_deceased_when_any_of_their_rows_in_the_file_says_so(tmp_path, regions, importer):
    run_import(write_csv(tmp_path / "a.csv", [settlement_row("JS1", rid(1), status="死亡"),
                                              settlement_row("JS2", rid(1), status="")]), importer)
    assert InsuredPerson.objects.get().is_deceased is True


def test_a_move_is_kept_when_a_later_file_does_not_repeat_it_and_any_row_of_a_file_marks_it(
        tmp_path, regions, importer):
    run_import(write_csv(tmp_path / "a.csv", [settlement_row("JS1", rid(1), status=""),
                                              settlement_row("JS2", rid(1), status="迁出")]), importer)
    assert InsuredPerson.objects.get().moved_away is True
    run_import(write_csv(tmp_path / "b.csv", [settlement_row("JS3", rid(1), status="")]), importer)
    assert InsuredPerson.objects.get().moved_away is True  # moving back is an officer's correction


def test_running_a_finished_job_again_does_nothing(tmp_path, regions, importer):
    path = write_csv(tmp_path / "year.csv", _year_rows())
    job = settlement_import_create(year=YEAR, file_name=path.name, acting_user=importer)
    stale = SettlementImport.objects.get(pk=job.pk)  # a redelivered task that read the job before it finished
    settlement_import_run(job=job, path=path)
    records = _records()

    again = settlement_import_run(job=stale, path=path)
    assert again.state == SettlementImport.State.DONE
    assert SettlementImport.objects.values_list("rows_imported", "rows_unchanged").get(pk=job.pk) == (3, 0)
    assert errors_of(job) == {(5, "医疗总费用", "金额“bad”不是有效数字")}
    assert _records() == records
