"""The command line: `manage.py import_settlements FILE --year 2022 [--json]` and
`manage.py screen --year 2022 --threshold 50000 [--json]`."""
import io
import json

import pytest
from django.core.management import CommandError, call_command

from assistance.models import ScreeningRun, SettlementImport, SettlementRecord
from tests.assistance.helpers import HEADER, YEAR, rid, settlement_row, write_csv

pytestmark = pytest.mark.django_db


def _call(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def _year_file(tmp_path):
    return write_csv(tmp_path / "year.csv", [
        settlement_row("JS1", rid(1), total="70000", basic="10000", out_of_pocket="60000"),
        settlement_row("JS2", rid(2), total="1000", basic="600", out_of_pocket="400"),
        settlement_row("JS3", rid(3), total="bad"),
    ])


def test_import_settlements_json_prints_one_line_with_imported_rejected_and_seconds(tmp_path, regions, msb):
    output = _call("import_settlements", str(_year_file(tmp_path)), "--year", str(YEAR), "--json", "--user", "msb")
    assert output.count("\n") == 1
    summary = json.loads(output)
    assert (summary["imported"], summary["rejected"], summary["unchanged"], summary["rows"]) == (2, 1, 0, 3)
    assert isinstance(summary["seconds"], float) and summary["seconds"] >= 0
    job = SettlementImport.objects.get(pk=summary["job"])
    assert (job.state, job.created_by, job.file_name) == (SettlementImport.State.DONE, msb, "year.csv")
    assert SettlementRecord.objects.count() == 2


def test_import_settlements_without_json_prints_the_chinese_summary(tmp_path, regions, msb):
    output = _call("import_settlements", str(_year_file(tmp_path)), "--year", str(YEAR), "--user", "msb")
    assert output.strip() == "导入 2 行，错误 1 行，未变化 0 行，新增人员 2 人"


def test_import_settlements_defaults_to_the_first_superuser(tmp_path, regions, admin_user):
    summary = json.loads(_call("import_settlements", str(_year_file(tmp_path)), "--year", str(YEAR), "--json"))
    assert SettlementImport.objects.get(pk=summary["job"]).created_by == admin_user


def test_import_settlements_fails_with_the_chinese_reason_for_an_unreadable_file(tmp_path, regions, msb):
    path = write_csv(tmp_path / "bad.csv", [["JS1", "张三"]], header=["结算编号", "姓名"])
    with pytest.raises(CommandError, match="文件缺少必需的列：身份证号"):
        _call("import_settlements", str(path), "--year", str(YEAR), "--user", "msb")
    assert SettlementImport.objects.get().state == SettlementImport.State.FAILED


def test_import_settlements_refuses_a_missing_file_an_unknown_user_and_a_bad_year(tmp_path, regions, msb):
    with pytest.raises(CommandError, match="文件不存在"):
        _call("import_settlements", str(tmp_path / "nope.csv"), "--year", str(YEAR), "--user", "msb")
    with pytest.raises(CommandError, match="找不到导入人"):
        _call("import_settlements", str(_year_file(tmp_path)), "--year", str(YEAR), "--user", "nobody")
    with pytest.raises(CommandError, match="年度应在 2015 至"):  # DATA_EARLIEST_DATE's year
        _call("import_settlements", str(_year_file(tmp_path)), "--year", "1999", "--user", "msb")
    assert not SettlementImport.objects.exists()


def test_screen_json_prints_the_run_and_its_target_count(tmp_path, regions, msb):
    _call("import_settlements", str(_year_file(tmp_path)), "--year", str(YEAR), "--user", "msb")
    output = _call("screen", "--year", str(YEAR), "--json", "--user", "msb")
    assert output.count("\n") == 1
    summary = json.loads(output)
    assert (summary["year"], summary["threshold"], summary["targets"]) == (YEAR, "50000.00", 1)
    run = ScreeningRun.objects.get(pk=summary["run"])
    assert (run.state, run.created_by, run.local_only, run.exclude_deceased) == (
        ScreeningRun.State.DONE, msb, True, True)
    assert isinstance(summary["seconds"], float)


def test_screen_takes_its_threshold_and_rules_from_the_command_line(tmp_path, regions, msb):
    _call("import_settlements", str(_year_file(tmp_path)), "--year", str(YEAR), "--user", "msb")
    summary = json.loads(_call("screen", "--year", str(YEAR), "--threshold", "400", "--include-nonlocal",
                               "--include-deceased", "--min-settlements", "1", "--json", "--user", "msb"))
    assert summary["targets"] == 2
    run = ScreeningRun.objects.get(pk=summary["run"])
    assert (run.threshold, run.local_only, run.exclude_deceased) == (400, False, False)
    assert _call("screen", "--year", str(YEAR), "--user", "msb").strip() == f"{YEAR} 年个人自付 ≥ 50,000.00 元的预警对象 1 人"


def test_screen_refuses_a_threshold_that_is_not_an_amount(regions, msb):
    with pytest.raises(CommandError, match="--threshold 应为金额"):
        _call("screen", "--year", str(YEAR), "--threshold", "五万", "--user", "msb")
    assert not ScreeningRun.objects.exists()


def test_the_header_used_by_these_tests_is_fully_recognised():
    from assistance.importing.columns import COLUMNS, map_header

    assert set(map_header(HEADER)) == {column.key for column in COLUMNS}
