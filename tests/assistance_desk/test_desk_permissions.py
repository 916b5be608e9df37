"""The MSB's and civil affairs' admin desks: each role sees and does only its own part."""
import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assistance.models import InsuredPerson, ScreeningRun, SettlementImport, SettlementRecord, WarningTarget
from benchmarks.synthetic import write_year
from fundportal.models import ExportLog, Region
from fundportal.roles import Role
from tests.fixtures.personas import make_user

pytestmark = pytest.mark.django_db
YEAR = dt.date.today().year - 1


def _officer(username, role, region_name):
    return make_user(username, role, region=Region.objects.get(name=region_name))


@pytest.fixture
def imported(regions, msb, tmp_path, client, django_capture_on_commit_callbacks):
    """The MSB uploads a synthetic year through the admin; the Celery task runs on commit."""
    path = tmp_path / "year.csv"
    write_year(path, rows=1500, year=YEAR, regions=["330381101201", "330381101000", "330381006000"],
               messy_share=0.05, invalid_share=0.01)
    client.force_login(msb)
    with django_capture_on_commit_callbacks(execute=True), open(path, "rb") as handle:
        response = client.post(reverse("admin:assistance_settlementimport_upload"), {"year": YEAR, "file": handle})
    assert response.status_code == 302, response.content.decode()[:2000]
    job = SettlementImport.objects.get()
    assert job.state == SettlementImport.State.DONE, job.message
    return job


@pytest.fixture
def shared_run(imported, msb, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:assistance_screeningrun_add"), {
            "year": YEAR, "threshold": "3000", "local_only": "on", "exclude_deceased": "on", "min_settlements": 1})
    assert response.status_code == 302
    run = ScreeningRun.objects.get()
    assert run.state == ScreeningRun.State.DONE and run.target_count > 0
    assert client.post(reverse("admin:assistance_screeningrun_share", args=[run.pk])).status_code == 302
    run.refresh_from_db()
    assert run.shared_by == msb
    return run


def test_msb_import_shows_progress_and_downloadable_errors(imported, client):
    progress = client.get(reverse("admin:assistance_settlementimport_progress", args=[imported.pk])).json()
    assert progress["done"] and progress["processed"] == imported.rows_total == 1500
    page = client.get(reverse("admin:assistance_settlementimport_change", args=[imported.pk]))
    assert "data-progress-url" in page.content.decode()
    errors = client.get(reverse("admin:assistance_settlementimport_errors", args=[imported.pk]))
    content = b"".join(errors.streaming_content).decode("utf-8-sig")
    assert content.splitlines()[0] == "行号,列,原因" and len(content.splitlines()) == imported.rows_rejected + 1
    assert ExportLog.objects.filter(what__startswith="结算导入错误清单").exists()


@pytest.mark.parametrize("persona", ["clerk", "finance"])
def test_other_roles_cannot_reach_the_medical_data(request, client, imported, persona):
    client.force_login(request.getfixturevalue(persona))
    person = InsuredPerson.objects.first()
    for url in (reverse("admin:assistance_settlementimport_changelist"),
                reverse("admin:assistance_settlementimport_upload"),
                reverse("admin:assistance_settlementimport_errors", args=[imported.pk]),
                reverse("admin:assistance_settlementimport_progress", args=[imported.pk]),
                reverse("admin:assistance_insuredperson_changelist"),
                reverse("admin:assistance_insuredperson_costs", args=[person.pk, YEAR]),
                reverse("admin:assistance_settlementrecord_changelist"),
                reverse("admin:assistance_screeningrun_changelist"),
                reverse("admin:assistance_warningtarget_changelist")):
        assert client.get(url).status_code == 403, url
    # A person's page does not exist for them (a 404, as for a missing id; was a 403).
    assert client.get(reverse("admin:assistance_insuredperson_change", args=[person.pk])).status_code == 404


def test_id_numbers_are_looked_up_by_post_and_never_appear_in_a_url(client, imported):
    person = InsuredPerson.objects.first()
    response = client.post(reverse("admin:assistance_insuredperson_lookup"),
                           {"resident_id": person.resident_id.lower()})
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:assistance_insuredperson_change", args=[person.pk])
    assert person.resident_id not in response["Location"]
    wrong = client.post(reverse("admin:assistance_insuredperson_lookup"), {"resident_id": "123"})
    assert "18位" in wrong.content.decode()
    listing = client.get(reverse("admin:assistance_insuredperson_changelist")).content.decode()
    assert person.resident_id not in listing  # masked in lists


def test_msb_sees_and_exports_a_persons_year(client, imported):
    person = InsuredPerson.objects.first()
    page = client.get(reverse("admin:assistance_insuredperson_costs", args=[person.pk, YEAR]))
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    summary = page.context["summary"]
    records = SettlementRecord.objects.filter(person=person, year=YEAR)
    assert summary.settlements == records.count()
    assert summary.out_of_pocket == sum((r.out_of_pocket for r in records), Decimal("0"))
    export = client.get(reverse("admin:assistance_insuredperson_costs", args=[person.pk, YEAR]), {"format": "csv"})
    lines = b"".join(export.streaming_content).decode("utf-8-sig").splitlines()
    assert len(lines) == records.count() + 1
    assert ExportLog.objects.filter(what="个人年度结算明细", row_count=records.count()).exists()


def test_unshared_targets_are_msb_only(client, imported, msb, regions):
    client.force_login(msb)
    client.post(reverse("admin:assistance_screeningrun_add"), {
        "year": YEAR, "threshold": "20000", "local_only": "on", "exclude_deceased": "on", "min_settlements": 1})
    officer = _officer("town_officer", Role.CAB_TOWN, "塘下镇")
    client.force_login(officer)
    assert client.get(reverse("admin:assistance_warningtarget_changelist")).context["cl"].result_count == 0


def test_officers_see_only_their_area_and_only_totals(client, shared_run):
    town = _officer("town_officer", Role.CAB_TOWN, "塘下镇")
    village = _officer("village_officer", Role.CAB_VILLAGE, "韩田村")
    city_officer = _officer("city_officer", Role.CAB_CITY, "瑞安市")
    expected = {
        town: set(WarningTarget.objects.filter(region__path__startswith=town.region.path).values_list("pk", flat=True)),
        village: set(WarningTarget.objects.filter(region=village.region).values_list("pk", flat=True)),
        city_officer: set(WarningTarget.objects.values_list("pk", flat=True)),
    }
    assert expected[village] < expected[town] < expected[city_officer]
    for officer, pks in expected.items():
        client.force_login(officer)
        listing = client.get(reverse("admin:assistance_warningtarget_changelist"))
        assert {t.pk for t in listing.context["cl"].result_list} == pks
        outside = WarningTarget.objects.exclude(pk__in=pks).first()
        if outside:
            assert client.get(reverse("admin:assistance_warningtarget_change", args=[outside.pk])).status_code in (
                302, 404)
        # totals only: never the visits behind them
        assert client.get(reverse("admin:assistance_settlementrecord_changelist")).status_code == 403
        person = WarningTarget.objects.get(pk=next(iter(pks))).person if pks else InsuredPerson.objects.first()
        assert client.get(reverse("admin:assistance_insuredperson_costs", args=[person.pk, YEAR])).status_code == 403


def test_big_lists_never_count_the_whole_table(client, imported):
    for url in (reverse("admin:assistance_settlementrecord_changelist"),
                reverse("admin:assistance_insuredperson_changelist")):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts = [q["sql"] for q in queries.captured_queries if re.search(r"COUNT\(", q["sql"], re.I)]
        assert counts and all("LIMIT" in sql for sql in counts), counts


def test_msb_records_a_death_through_the_desk_and_it_is_audited(client, imported, msb):
    person = InsuredPerson.objects.first()
    url = reverse("admin:assistance_insuredperson_change", args=[person.pk])
    response = client.post(url, {"is_deceased": "on", "died_on": "2099-01-01"})
    assert response.status_code == 200 and "不能晚于今天" in response.content.decode()
    response = client.post(url, {"is_deceased": "on", "died_on": f"{YEAR}-06-01"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.is_deceased and person.died_on == dt.date(YEAR, 6, 1)
    record = person.history.first()
    assert record.history_user == msb and record.history_change_reason == "登记死亡"


def test_a_crashing_screening_task_marks_the_run_failed(monkeypatch, msb):
    from assistance.intake import services as screening, tasks

    run = screening.screening_run_create(year=YEAR, acting_user=msb, queue=False)
    monkeypatch.setattr(screening, "screening_run_execute", lambda **kwargs: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        tasks.screening_run_task(run.pk)
    run.refresh_from_db()
    assert run.state == ScreeningRun.State.FAILED and "没有保存任何结果" in run.message


def test_commands_refuse_a_bad_year_cleanly(tmp_path, msb):
    from django.core.management import CommandError, call_command

    path = tmp_path / "x.csv"
    path.write_text("结算编号\n", encoding="utf-8")
    with pytest.raises(CommandError, match="年度"):
        call_command("import_settlements", str(path), "--year", "1999", "--user", "msb")
    with pytest.raises(CommandError, match="年度"):
        call_command("screen", "--year", "1999", "--user", "msb")


def test_run_and_job_pages_show_years_plainly_and_towns_of_the_officers_area(client, shared_run, imported):
    run_page = client.get(reverse("admin:assistance_screeningrun_change", args=[shared_run.pk])).content.decode()
    job_page = client.get(reverse("admin:assistance_settlementimport_change", args=[imported.pk])).content.decode()
    assert f"{YEAR:,}" not in run_page and f"{YEAR:,}" not in job_page and str(YEAR) in run_page
    officer = _officer("town_officer", Role.CAB_TOWN, "塘下镇")
    client.force_login(officer)
    listing = client.get(reverse("admin:assistance_warningtarget_changelist"))
    town_filter = next(f for f in listing.context["cl"].filter_specs if f.parameter_name == "town")
    assert [name for _pk, name in town_filter.lookup_choices] == ["塘下镇"]


def test_the_commands_refuse_a_user_without_the_msbs_permission(tmp_path, msb, clerk):
    """Who a record says imported or screened is who may: the command line checks it too."""
    from django.core.management import CommandError, call_command

    from assistance.models import ScreeningRun, SettlementImport

    path = tmp_path / "x.csv"
    path.write_text("结算编号\n", encoding="utf-8")
    with pytest.raises(CommandError, match="用户 clerk 没有导入医保结算数据的权限"):
        call_command("import_settlements", str(path), "--year", "2022", "--user", "clerk")
    with pytest.raises(CommandError, match="用户 clerk 没有发起筛查的权限"):
        call_command("screen", "--year", "2022", "--user", "clerk")
    assert not SettlementImport.objects.exists() and not ScreeningRun.objects.exists()


def test_an_upload_named_in_four_byte_characters_is_stored_under_a_name_the_disk_accepts(msb, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from assistance.intake.services import settlement_import_create

    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("𠀀" * 120 + ".csv", "结算编号\n".encode())
    job = settlement_import_create(year=2022, acting_user=msb, upload=upload)
    stored = job.file.name.rsplit("/", 1)[-1]
    assert stored.endswith(".csv") and len(stored.encode()) <= 255 and job.file_name.startswith("𠀀")
