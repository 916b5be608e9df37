"""The PostgreSQL loader (polars batches, then a new partition or a merge) and the Python rules
(rules.parse_row, used row by row by the SQLite loader) must agree on every row: the same errors
(row, column, reason) and the same values loaded. Checked on a messy synthetic year with crafted
edge rows, on an .xlsx with typed cells, on random messy cells (hypothesis), by running the Python
loader itself on PostgreSQL, and by loading one file both as a new partition and as a merge."""
import csv
import datetime as dt
from pathlib import Path

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistance.importing import partition, postgres, python
from assistance.importing.columns import headings_of, map_header
from assistance.importing.reader import iter_rows
from assistance.importing.regions import RegionResolver
from assistance.intake.services import settlement_import_create
from benchmarks.synthetic import write_year
from tests.assistance.helpers import HEADER, YEAR, resident_id_ending_in_x, rid, run_import, write_xlsx
from tests.assistance.reference import (person_values, reference_import, settlement_values, snapshot_errors,
                                        snapshot_people, snapshot_settlements)
from tests.assistance.strategies import FULL_WIDTH, messy_rows

pytestmark = pytest.mark.django_db


def _synthetic_row(number, resident_id, *, name="张三", region="330381101000", kind="城乡居民医保",
                   settled_on="2022-03-05", institution="瑞安市人民医院", in_province="是", total="1000.00",
                   basic="600.00", critical="0.00", assistance="0.00", out_of_pocket="400.00") -> list:
    """A row in benchmarks.synthetic.HEADER order."""
    return [number, resident_id, name, region, kind, settled_on, institution, in_province, total, basic, critical,
            assistance, out_of_pocket]


EDGE_ROWS = [
    _synthetic_row("E1", rid(101), institution="瑞安市人民医院（总院）", name=" 李　四 "),
    _synthetic_row("E2", rid(102), total="12|3"),
    _synthetic_row("E3", rid(103), total="000000000000001000.00"),
    _synthetic_row("E4", rid(104), settled_on="2022-3-5  10:30"),
    _synthetic_row("E5", rid(105), settled_on="2022 - 3 - 5"),
    _synthetic_row("Ｅ６＿", rid(106)),
    _synthetic_row("E7", rid(107), total="1\u00a0000.00"),
    _synthetic_row("E8", rid(108), out_of_pocket="-0", total="600", basic="600"),
    _synthetic_row("E9", rid(109), settled_on="44625.5"),
    _synthetic_row("E10", rid(110), total="１²00"),
    _synthetic_row("E11", rid(111), name="\u00a0王五\u00a0"),
    _synthetic_row("E12", rid(112).translate(FULL_WIDTH), basic=""),
    _synthetic_row("E13", rid(113), basic="　", out_of_pocket="1000"),
    _synthetic_row("E14", rid(114), basic="\u00a0", out_of_pocket="1000"),
    _synthetic_row("E15", rid(115), settled_on="２０２２年３月５日"),
    _synthetic_row("E16", rid(116), total="1,000.00元", out_of_pocket="￥400"),
    _synthetic_row("E17", rid(117), total="RMB1000", out_of_pocket="400 CNY"),
    _synthetic_row("E18", rid(118), total="1000.0000"),
    _synthetic_row("E19", rid(119), total="1000.001"),
    _synthetic_row("E20", rid(120), settled_on="2022.3.5"),
    _synthetic_row("E21", rid(121), settled_on="20220230"),
    _synthetic_row("E22", rid(122), settled_on="99999"),
    _synthetic_row("E23", rid(123), settled_on="2022/02/30"),
    _synthetic_row("E24", rid(124), in_province=" 省外 "),
    _synthetic_row("E26", rid(126), region="瑞安市塘下镇韩田村"),
    _synthetic_row("E27", rid(127), region="330302000000"),
    _synthetic_row("E28", rid(128), total="1e3"),
    _synthetic_row("E29", rid(129), total="+1000"),
    _synthetic_row("E30", rid(130), total=".5"),
    _synthetic_row("E31", rid(131), total="1000."),
    _synthetic_row("E32", resident_id_ending_in_x().lower()),
    _synthetic_row("E33", "123"),
    _synthetic_row("E34", "33038119681317001X"),
    _synthetic_row("E35", "330381290005170011"),
    _synthetic_row("E36", "3303811968051700ab"),
    _synthetic_row("", rid(137)),
    _synthetic_row("E38", rid(138), name=""),
    _synthetic_row("E39", rid(139), institution=""),
    _synthetic_row("E40", rid(140), settled_on=""),
    _synthetic_row("E41", rid(141), total=""),
    _synthetic_row("E42", rid(142), total="-5", basic="-5", out_of_pocket="0"),
    _synthetic_row("E1", rid(143)),
    _synthetic_row("E44", rid(144), settled_on="2021-12-31"),
    _synthetic_row("E45", rid(145), settled_on="2099-01-01"),
    _synthetic_row("E46", rid(146), total="1000.01"),
    _synthetic_row("E47", rid(147), total="1000.02"),
    _synthetic_row("E48", rid(148), total="１,０００.５元", out_of_pocket="400.5"),
    _synthetic_row("E49", rid(149), total="9999999999999", basic="0", out_of_pocket="9999999999999"),
    _synthetic_row("E50", rid(150), settled_on="2022年3月5日 "),
    _synthetic_row("E51", rid(151), settled_on="2022-03-05T10:00"),
    _synthetic_row("E52", rid(152), name="x" * 60),
    _synthetic_row("E53" * 20, rid(153)),
    _synthetic_row("E54", rid(154), basic="元"),
    _synthetic_row("E55", rid(155), total="1,2,3,4", basic="0", out_of_pocket="1234"),
    _synthetic_row("E56", rid(156), institution="瑞安市人民医院,\n住院部"),
    _synthetic_row("E57", rid(157), name="王\t五", kind="职工医保" * 10),
    _synthetic_row("E58", rid(101), name="李四（改名）", region="马屿镇"),  # the same person again, last row wins
    _synthetic_row("E59", rid(159), total="99999999999.995", basic="0", out_of_pocket="99999999999.995"),
    _synthetic_row("E60", rid(160), total="999999999999.99", basic="999999999999.99", out_of_pocket="0"),
    ["E61", rid(161), "短行"],
    [""] * 13,
    [],
    _synthetic_row("E64", rid(164), total="-0.00", basic="0", out_of_pocket="0.01"),
]


def _today():
    return timezone.localdate()


def _append_rows(path: Path, rows: list[list], encoding: str = "utf-8") -> None:
    with open(path, "a", newline="", encoding=encoding) as handle:
        csv.writer(handle).writerows(rows)


def _expected_people(loaded, resolver) -> dict[str, tuple]:
    """Each person from their last loaded row; deceased, moved away if any row says so; sex and birth
    from the ID."""
    people: dict[str, tuple] = {}
    deceased: set[str] = set()
    moved: set[str] = set()
    for row in loaded.values():
        number = row.resident_id
        people[number] = person_values(row, resolver)
        if row.is_deceased:
            deceased.add(number)
        if row.is_moved:
            moved.add(number)
    return {number: (*values, number in deceased, number in moved, "M" if int(number[16]) % 2 else "F",
                     dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14])))
            for number, values in people.items()}


def _assert_loaded_like_the_reference(path: Path, job) -> None:
    errors, loaded = reference_import(path, year=YEAR, today=_today())
    assert snapshot_errors(job) == errors
    assert snapshot_settlements(YEAR) == {number: settlement_values(row) for number, row in loaded.items()}
    assert snapshot_people() == _expected_people(loaded, RegionResolver())
    assert (job.rows_rejected, job.rows_imported) == (len({line for line, *_ in errors}), len(loaded))


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_postgres_loader_agrees_with_the_python_rules_on_a_messy_synthetic_year(tmp_path, regions, importer, encoding):
    path = tmp_path / "messy.csv"
    stats = write_year(path, rows=300, seed=11, messy_share=0.5, invalid_share=0.15, encoding=encoding)
    assert stats.invalid > 20 and stats.messy > 100
    rows = EDGE_ROWS if encoding == "utf-8" else [  # GBK has no no-break space or superscript two
        row for row in EDGE_ROWS if not any(isinstance(cell, str) and ("\u00a0" in cell or "²" in cell)
                                            for cell in row)]
    _append_rows(path, rows, encoding=encoding)
    job = run_import(path, importer)
    assert job.state == job.State.DONE, job.message
    _assert_loaded_like_the_reference(path, job)
    assert job.rows_rejected > stats.invalid  # the synthetic invalid rows and the crafted ones


def test_postgres_loader_agrees_with_the_python_rules_on_typed_xlsx_cells(tmp_path, regions, importer):
    def row(number, resident_id, **cells):
        values = dict(zip(HEADER, [number, resident_id, "张三", "330381101000", "城乡居民医保", "", dt.date(2022, 3, 5),
                                   "瑞安市人民医院", "是", 1000, 600, 0, 0, 400]))
        values.update(cells)
        return [values[name] for name in HEADER]

    rows = [
        row("X1", rid(1), 结算日期=dt.datetime(2022, 3, 5, 10, 30), 医疗总费用=1000.5, 大病保险支付=None,
            医疗救助支付=None, 个人自付=400.5),
        row("X2", rid(2), 结算日期=44625, 基本医保支付=600.0),
        row("X3", rid(3), 结算日期=44625.5),
        row("X4", rid(4), 结算日期=123),
        row("X5", rid(5), 结算日期=dt.date(2021, 3, 5)),
        row(0, rid(6)),
        row("X7", 0),
        row("X8", int(rid(8)) if not rid(8).endswith("X") else rid(8), 是否省内=False, 人员状态="死亡"),
        row("X9", rid(9), 医疗总费用=0.1 + 0.2, 基本医保支付=0, 个人自付=0.3),
        row(12345.0, rid(10)),
        row("X11", rid(11), 医疗总费用=1e16, 个人自付=1e16, 基本医保支付=0),
        row("X12", rid(12), 姓名=12345),
        row("X13", rid(13), 结算日期=dt.time(10, 30)),
        row("X14", rid(14), 结算日期=44625.0, 是否省内=True),
        ["X15", rid(15), "赵六"],
        [None] * 14,
        row("X17", rid(17), 医疗总费用=-0.0, 基本医保支付=0, 个人自付=0),
        row("X18", rid(18), 医疗总费用=1000.123),
        row("X19", rid(19), 基本医保支付=0.0, 个人自付=1000),
        row("X20", rid(20), 户籍地=330381102000),
        row("X1", rid(21)),
    ]
    path = write_xlsx(tmp_path / "typed.xlsx", rows)
    job = run_import(path, importer)
    assert job.state == job.State.DONE, job.message
    _assert_loaded_like_the_reference(path, job)
    assert job.rows_imported >= 8 and job.rows_rejected >= 8


def _load_in_savepoint(loader, *, job, path: Path) -> tuple:
    """Run one loader for the file, snapshot what it wrote, and roll it all back."""
    rows = iter_rows(path)
    header = next(rows)
    rows.close()
    with transaction.atomic():
        positions = map_header(header)
        result = loader.load(job=job, path=path, positions=positions, width=len(header), year=YEAR,
                             today=_today(), progress=lambda phase, processed: None,
                             headings=headings_of(header, positions))
        snapshot = (result, snapshot_errors(job), snapshot_settlements(YEAR), snapshot_people())
        transaction.set_rollback(True)
    return snapshot


def test_the_python_loader_run_on_postgres_writes_what_the_postgres_loader_writes(
        tmp_path, regions, importer, monkeypatch):
    path = tmp_path / "messy.csv"
    write_year(path, rows=250, seed=5, messy_share=0.5, invalid_share=0.1)
    # An earlier version of the file was loaded: some settlements and people exist, some differ,
    # so the loaders' update and unchanged paths run too.
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    earlier = tmp_path / "earlier.csv"
    earlier.write_text("".join([lines[0], *[line.replace("瑞安市", "瑞安") for line in lines[1:40]], *lines[40:150]]),
                       encoding="utf-8")
    run_import(earlier, importer)
    _append_rows(path, EDGE_ROWS)
    _append_rows(path, [_synthetic_row("E70", rid(101), name="李四", region="330381006000")])
    monkeypatch.setattr(python, "BATCH", 7)  # many small batches: people and duplicates across batches
    job = settlement_import_create(year=YEAR, file_name=path.name, acting_user=importer)

    by_sql = _load_in_savepoint(postgres, job=job, path=path)
    by_python = _load_in_savepoint(python, job=job, path=path)
    assert by_python[1] == by_sql[1]  # errors
    assert by_python[2] == by_sql[2]  # settlements
    assert by_python[3] == by_sql[3]  # people
    assert by_python[0] == by_sql[0]  # counts
    assert by_sql[0].rows_unchanged > 0 and by_sql[0].rows_imported > 0


def test_a_file_loaded_as_a_new_partition_and_merged_into_a_year_writes_the_same(
        tmp_path, regions, importer, monkeypatch):
    path = tmp_path / "messy.csv"
    write_year(path, rows=400, seed=8, messy_share=0.5, invalid_share=0.1)
    _append_rows(path, [row for row in EDGE_ROWS if row and row[0] != "E1"][1:])  # no repeated number
    job = settlement_import_create(year=YEAR, file_name=path.name, acting_user=importer)
    as_partition = _load_in_savepoint(postgres, job=job, path=path)
    monkeypatch.setattr(partition, "is_empty", lambda cursor, year: False)
    merged = _load_in_savepoint(postgres, job=job, path=path)
    assert as_partition == merged
    assert as_partition[0].rows_imported > 300 and as_partition[0].rows_rejected > 30


# Random messy cells. Each example is one file loaded by the PostgreSQL loader inside a savepoint
# (rolled back), compared with the Python rules: no new database per example.

@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                    HealthCheck.too_slow])
@given(rows=st.lists(messy_rows(), min_size=1, max_size=6), encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]))
def test_postgres_loader_agrees_with_the_python_rules_on_random_messy_cells(tmp_path, regions, importer, rows,
                                                                            encoding):
    path = tmp_path / "random.csv"
    with open(path, "w", newline="", encoding=encoding) as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    job = settlement_import_create(year=YEAR, file_name=path.name, acting_user=importer)
    result, errors, settlements, people = _load_in_savepoint(postgres, job=job, path=path)
    expected_errors, loaded = reference_import(path, year=YEAR, today=_today())
    assert errors == expected_errors
    assert settlements == {number: settlement_values(row) for number, row in loaded.items()}
    assert people == _expected_people(loaded, RegionResolver())
    assert (result.rows_total, result.rows_imported) == (len(rows), len(loaded))

