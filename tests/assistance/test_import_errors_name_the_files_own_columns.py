"""An import's errors name each column as the user's own file heads it — on the job's page and in
the error CSV — never by an internal field name (resident_id, settled_on)."""
import pytest
from django.urls import reverse

from assistance.importing import python as python_loader
from assistance.importing.columns import COLUMNS
from tests.assistance.helpers import YEAR, rid, run_import, settlement_row, write_csv

pytestmark = pytest.mark.django_db
# The office's own words for the columns (all aliases the importer knows), one unit suffix included.
HEADER = ["结算流水号", "公民身份号码", "参保人姓名", "户籍所在地", "险种类型", "参保状态", "结算时间", "定点医疗机构",
          "就医地", "费用总额（元）", "统筹支付", "大病保险", "医疗救助", "个人负担"]
INTERNAL = [column.key for column in COLUMNS]
BAD_ID = rid(1)[:17] + ("0" if rid(1)[17] != "0" else "1")  # a wrong check digit


def _bad_file(tmp_path):
    return write_csv(tmp_path / "bad.csv", [
        settlement_row("JS1", BAD_ID),
        settlement_row("JS2", rid(2), settled_on="2022-02-30"),  # no such day
        settlement_row("JS2", rid(3)),                           # repeats JS2's number (JS2 itself is invalid: kept)
        settlement_row("JS4", rid(4)),
        settlement_row("JS4", rid(5)),                           # repeats JS4
        settlement_row("JS6", rid(6), total="abc"),
    ], header=HEADER)


@pytest.mark.parametrize("loader", ["postgres", "python"])
def test_import_errors_name_the_columns_as_the_users_file_heads_them(tmp_path, regions, importer, loader, monkeypatch):
    if loader == "python":
        monkeypatch.setattr("assistance.intake.services._loader", lambda: python_loader)
    job = run_import(_bad_file(tmp_path), importer)
    columns = dict(job.errors.values_list("row_number", "column"))
    assert columns == {2: "公民身份号码", 3: "结算时间", 6: "结算流水号", 7: "费用总额（元）"}
    assert not set(columns.values()) & set(INTERNAL)


def test_the_jobs_page_and_error_csv_show_the_files_headings(client, tmp_path, regions, importer):
    job = run_import(_bad_file(tmp_path), importer)
    assert job.rows_rejected == 4 and job.year == YEAR
    client.force_login(importer)
    page = client.get(reverse("admin:assistance_settlementimport_change", args=[job.pk])).content.decode()
    csv = b"".join(client.get(reverse("admin:assistance_settlementimport_errors", args=[job.pk]))
                   .streaming_content).decode("utf-8-sig")
    for shown in (page, csv):
        assert "公民身份号码" in shown and "结算时间" in shown and "结算流水号" in shown
        assert not any(f">{key}<" in shown or f",{key}," in shown for key in INTERNAL)
