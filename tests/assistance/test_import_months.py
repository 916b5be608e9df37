"""Monthly settlement files (issue 15): a file that says which month it is (the job's month,
`import_settlements --month M`) holds only that month's rows, and importing the month again
replaces the month — rows missing from the new file are gone, nothing doubles. Split into months
and imported in any order, with months re-sent, a year gives exactly the single file's targets and
sums (property test, real PostgreSQL). The SQLite loader (python.py) gives the same results."""
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistance.importing import merge, partition, python
from assistance.intake import services
from assistance.intake.services import screening_run_create, screening_run_execute, settlement_import_create, \
    settlement_import_run
from assistance.models import InsuredPerson, SettlementRecord
from tests.assistance.helpers import YEAR, errors_of, rid, settlement_row, write_csv

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["postgres", "python"])
def loader(request, monkeypatch):
    """Each test runs with the PostgreSQL loader and with the SQLite one (python.py) on PostgreSQL."""
    if request.param == "python":
        monkeypatch.setattr(services, "_loader", lambda: python)
    return request.param


def _import(path: Path, user, *, month: int | None):
    job = settlement_import_create(year=YEAR, month=month, file_name=path.name, acting_user=user)
    settlement_import_run(job=job, path=path)
    job.refresh_from_db()
    assert job.state == job.State.DONE, job.message
    return job


def _stored() -> dict[str, tuple]:
    return {number: (str(settled_on), str(out_of_pocket)) for number, settled_on, out_of_pocket in
            SettlementRecord.objects.filter(year=YEAR).values_list("settlement_no", "settled_on", "out_of_pocket")}


def _leaf_oid(month: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::regclass::oid", [partition.leaf(YEAR, month)])
        return cursor.fetchone()[0]


def test_a_resent_month_replaces_the_month_and_never_doubles(tmp_path, regions, importer, loader):
    march = write_csv(tmp_path / "03.csv", [settlement_row("JS1", rid(1), settled_on="2022-03-01"),
                                            settlement_row("JS2", rid(2), settled_on="2022-03-31")])
    april = write_csv(tmp_path / "04.csv", [settlement_row("JS3", rid(3), settled_on="2022-04-02")])
    _import(march, importer, month=3)
    _import(april, importer, month=4)
    corrected = write_csv(tmp_path / "03-again.csv", [
        settlement_row("JS1", rid(1), settled_on="2022-03-01", total="1000.00", basic="500.00", out_of_pocket="500.00"),
        settlement_row("JS4", rid(4), settled_on="2022-03-15")])
    job = _import(corrected, importer, month=3)
    assert (job.rows_imported, job.rows_rejected) == (2, 0)
    expected = {"JS1": ("2022-03-01", "500.00"), "JS4": ("2022-03-15", "400.00"), "JS3": ("2022-04-02", "400.00")}
    assert _stored() == expected  # JS2 (missing from the new file) is gone, April is untouched
    before = _leaf_oid(3) if loader == "postgres" else None
    _import(corrected, importer, month=3)  # the same month once more: still one row per settlement
    assert _stored() == expected
    assert SettlementRecord.objects.filter(year=YEAR).count() == 3
    if loader == "postgres":
        assert _leaf_oid(3) != before  # the fast path: the month's leaf was replaced whole


def test_a_later_month_updates_the_people_who_changed_adds_the_new_and_leaves_the_others_unwritten(
        tmp_path, regions, importer, loader):
    """The people of a monthly file are matched with the registry once (importing/people.py): the
    changed ones rewritten, the unchanged ones not touched, each settlement on its own person."""
    _import(write_csv(tmp_path / "01.csv", [
        settlement_row("JS1", rid(1), name="张三", settled_on="2022-01-05"),
        settlement_row("JS2", rid(2), name="李四", settled_on="2022-01-06", kind="城乡居民医保")]), importer, month=1)
    unchanged_at = InsuredPerson.objects.get(resident_id=rid(1)).updated_at
    _import(write_csv(tmp_path / "02.csv", [
        settlement_row("JS3", rid(1), name="张三", settled_on="2022-02-05"),
        settlement_row("JS4", rid(2), name="李思", settled_on="2022-02-06", kind="职工医保", region="330381102000"),
        settlement_row("JS5", rid(3), name="王五", settled_on="2022-02-07")]), importer, month=2)
    people = {p.resident_id: p for p in InsuredPerson.objects.all()}
    assert people[rid(1)].updated_at == unchanged_at  # nothing of theirs changed: not rewritten
    assert (people[rid(2)].name, people[rid(2)].insured_kind, people[rid(2)].region.code) == (
        "李思", "职工医保", "330381102000")
    assert people[rid(3)].name == "王五"
    owners = dict(SettlementRecord.objects.filter(year=YEAR).values_list("settlement_no", "person__resident_id"))
    assert owners == {"JS1": rid(1), "JS2": rid(2), "JS3": rid(1), "JS4": rid(2), "JS5": rid(3)}


def test_a_monthly_files_rows_of_other_months_are_rejected_in_chinese(tmp_path, regions, importer, loader):
    path = write_csv(tmp_path / "03.csv", [settlement_row("JS1", rid(1), settled_on="2022-03-05"),
                                           settlement_row("JS2", rid(2), settled_on="2022-04-01"),
                                           settlement_row("JS3", rid(3), settled_on="2022年2月28日"),
                                           settlement_row("JS4", rid(4), settled_on="2021-03-05")])
    job = _import(path, importer, month=3)
    assert (job.rows_imported, job.rows_rejected) == (1, 3)
    assert errors_of(job) == {(3, "结算日期", "结算日期不在导入的月份 2022 年 3 月内"),
                              (4, "结算日期", "结算日期不在导入的月份 2022 年 3 月内"),
                              (5, "结算日期", "结算日期不在申报年度 2022 年内")}
    assert set(_stored()) == {"JS1"}


@pytest.mark.parametrize("rows", [[], [("JS9", "2022-04-02"), ("JS8", "2022-04-03")]], ids=["header only", "all of april"])
def test_a_monthly_file_with_nothing_of_its_month_is_refused_and_the_month_kept(tmp_path, regions, importer, loader,
                                                                                rows):
    """A header-only file, or another month's file sent as March, would only empty March: refused
    whole in Chinese (the job failed, nothing changed), never a "done" import that lost the month."""
    march = write_csv(tmp_path / "03.csv", [settlement_row("JS1", rid(1), settled_on="2022-03-01"),
                                            settlement_row("JS2", rid(2), settled_on="2022-03-31")])
    _import(march, importer, month=3)
    before = _stored()
    wrong = write_csv(tmp_path / "wrong.csv", [settlement_row(number, rid(5), settled_on=day) for number, day in rows])
    job = settlement_import_create(year=YEAR, month=3, file_name=wrong.name, acting_user=importer)
    settlement_import_run(job=job, path=wrong)
    job.refresh_from_db()
    assert job.state == job.State.FAILED
    assert f"文件中没有 {YEAR} 年 3 月的有效结算记录（共 {len(rows)} 行" in job.message and "未做任何更改" in job.message
    assert _stored() == before


def test_a_month_repeating_another_months_settlement_number_takes_it_over(tmp_path, regions, importer, loader):
    """The number is the settlement: sent again dated in another month (a correction of its date),
    it moves there — one row, as a merged file would leave it — and a repeat within the file is
    reported against its first line."""
    _import(write_csv(tmp_path / "03.csv", [settlement_row("JS1", rid(1), settled_on="2022-03-05"),
                                            settlement_row("JS2", rid(2), settled_on="2022-03-06")]),
            importer, month=3)
    job = _import(write_csv(tmp_path / "04.csv", [settlement_row("JS1", rid(1), settled_on="2022-04-05"),
                                                  settlement_row("JS5", rid(5), settled_on="2022-04-06"),
                                                  settlement_row("JS5", rid(6), settled_on="2022-04-07")]),
                  importer, month=4)
    assert (job.rows_imported, job.rows_rejected) == (2, 1)
    assert errors_of(job) == {(4, "结算编号", "结算编号 JS5 与第 3 行重复")}
    assert _stored() == {"JS1": ("2022-04-05", "400.00"), "JS2": ("2022-03-06", "400.00"),
                         "JS5": ("2022-04-06", "400.00")}


def test_the_postgres_fast_path_takes_a_clean_monthly_file(tmp_path, regions, importer, monkeypatch):
    merged = []
    original = merge.load
    monkeypatch.setattr(merge, "load", lambda *args, **kwargs: merged.append(1) or original(*args, **kwargs))
    for month in (1, 2):
        _import(write_csv(tmp_path / f"{month}.csv", [settlement_row(f"JS{month}", rid(month),
                                                                     settled_on=f"2022-0{month}-05")]),
                importer, month=month)
    assert merged == []
    assert len(_stored()) == 2


def test_a_month_must_be_one_to_twelve(importer):
    with pytest.raises(ValidationError):
        settlement_import_create(year=YEAR, month=13, file_name="x.csv", acting_user=importer)


# The property: any split into monthly files, in any order, with months re-sent ------------------

PEOPLE = [(rid(100 + index), f"人{index}", "330381101000" if index % 3 else "330302000000") for index in range(6)]
MONTHS = (1, 2, 6, 12)


@st.composite
def split_years(draw):
    """Rows of a year (random people, months, amounts, deaths); the order the months are sent in;
    and months first sent wrong (some rows missing, other amounts, an extra row), then again."""
    rows = []
    for index in range(draw(st.integers(1, 16))):
        person = draw(st.integers(0, len(PEOPLE) - 1))
        settled_on = dt.date(YEAR, draw(st.sampled_from(MONTHS)), draw(st.integers(1, 28)))
        total = draw(st.integers(100, 40_000))
        fund = draw(st.integers(0, total))
        status = draw(st.sampled_from(["", "", "", "死亡"]))
        rows.append((f"JS{index:04d}", person, settled_on, total, fund, status))
    months = sorted({row[2].month for row in rows})
    order = draw(st.permutations(months))
    resent = draw(st.lists(st.sampled_from(months), max_size=2, unique=True))
    return rows, order, resent


def _cells(row, *, total_change: int = 0, status: str | None = None) -> list:
    number, person, settled_on, total, fund, row_status = row
    resident_id, name, region = PEOPLE[person]
    total += total_change
    return settlement_row(number, resident_id, name=name, region=region,
                          status=row_status if status is None else status,
                          settled_on=str(settled_on), total=f"{total}.00", basic=f"{fund}.00",
                          out_of_pocket=f"{total - fund}.00")


def _outcome(user) -> dict:
    """What screening sees: each person's sums and flags, and the warning targets."""
    sums = {row["person__resident_id"]: (row["oop"], row["total"], row["count"]) for row in
            SettlementRecord.objects.filter(year=YEAR).values("person__resident_id")
            .annotate(oop=Sum("out_of_pocket"), total=Sum("total_cost"), count=Count("id"))}
    flags = dict(InsuredPerson.objects.filter(resident_id__in=sums).values_list("resident_id", "is_deceased"))
    run = screening_run_execute(run=screening_run_create(year=YEAR, acting_user=user, queue=False,
                                                         threshold=Decimal("20000")))
    targets = {target.person.resident_id: (target.out_of_pocket, target.total_cost, target.settlement_count)
               for target in run.targets.select_related("person")}
    return {"sums": sums, "deceased": flags, "targets": targets}


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                    HealthCheck.too_slow])
@given(year=split_years())
def test_monthly_files_give_the_single_files_targets_and_sums(tmp_path, regions, importer, year):
    rows, order, resent = year
    with transaction.atomic():  # each example rolled back: no new database per example
        _import(write_csv(tmp_path / "year.csv", [_cells(row) for row in rows]), importer, month=None)
        single = _outcome(importer)
        transaction.set_rollback(True)
    with transaction.atomic():
        for month in resent:  # first sent wrong: a row missing, other amounts, a settlement too many
            wrong = [_cells(row, total_change=7, status="") for row in rows if row[2].month == month][1:]
            wrong.append(_cells((f"JX{month:02d}", 0, dt.date(YEAR, month, 3), 90_000, 0, "")))
            _import(write_csv(tmp_path / f"wrong-{month}.csv", wrong), importer, month=month)
        for month in [*order, *resent]:
            month_rows = [_cells(row) for row in rows if row[2].month == month]
            _import(write_csv(tmp_path / f"{month}.csv", month_rows), importer, month=month)
        monthly = _outcome(importer)
        transaction.set_rollback(True)
    assert monthly == single
    assert sum(count for _oop, _total, count in single["sums"].values()) == len(rows)
