"""The civil-affairs desk (admin and API): each officer reaches the cases of their own area only,
through every door — list, page, move pages, search, export, report, API — and moves them
through the same services."""
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from assistance.models import EligibilityCategory, ReviewCase
from fundportal.models import ExportLog

pytestmark = pytest.mark.django_db
State = ReviewCase.State


@pytest.fixture
def hantian_case(shared_run):
    return ReviewCase.objects.filter(region__name="韩田村").order_by("id").first()


def _admin(name, *args):
    return reverse(f"admin:assistance_reviewcase_{name}", args=args)


def _listed(client, **params) -> set[int]:
    response = client.get(_admin("changelist"), params)
    assert response.status_code == 200
    return {case.pk for case in response.context["cl"].result_list}


def _found(client, term: str) -> set[int]:
    """The list's search, as its form sends it (by POST: a name never goes into the address)."""
    posted = client.post(_admin("changelist"), {"_search": "1", "q": term})
    response = client.get(posted["Location"])
    assert response.status_code == 200
    return {case.pk for case in response.context["cl"].result_list}


@pytest.mark.parametrize("persona, expected", [
    ("cab_city", {"韩田村", "沙渎村", "塘下镇", "莘塍街道", "东风社区"}),
    ("cab_town", {"韩田村", "沙渎村", "塘下镇"}),
    ("cab_village", {"韩田村"}),
    ("other_town", {"莘塍街道", "东风社区"}),
    ("msb", {"韩田村", "沙渎村", "塘下镇", "莘塍街道", "东风社区"}),
])
def test_each_officer_lists_the_cases_of_their_own_area(request, client, shared_run, persona, expected):
    client.force_login(request.getfixturevalue(persona))
    listed = ReviewCase.objects.filter(pk__in=_listed(client))
    assert set(listed.values_list("region__name", flat=True)) == expected


@pytest.mark.parametrize("persona", ["other_town", "other_village"])
def test_an_officer_of_another_area_is_refused_through_every_door(request, client, hantian_case, persona):
    client.force_login(request.getfixturevalue(persona))
    pk = hantian_case.pk
    assert pk not in _listed(client)
    assert pk not in _found(client, hantian_case.person.name)  # search
    page = client.get(_admin("change", pk))
    assert page.status_code == 302 or hantian_case.person.name not in page.content.decode()
    for move in ("dispatch", "assign", "verify", "determine", "return", "move"):
        assert client.get(_admin(move, pk)).status_code == 404
        assert client.post(_admin(move, pk), {"reason": "x"}).status_code == 404
    export = client.post(_admin("changelist"), {"action": "export_selected", "_selected_action": [pk]})
    content = b"".join(export.streaming_content if export.streaming else [export.content]).decode("utf-8-sig")
    assert hantian_case.person.name[0] + "*" not in content.split("\n", 1)[-1]
    assert client.get(reverse("api-review-cases")).json()["results"] == [] or pk not in [
        row["id"] for row in client.get(reverse("api-review-cases")).json()["results"]]
    assert client.get(reverse("api-review-case", args=[pk])).status_code == 404
    assert client.post(reverse("api-review-case-move", args=[pk, "dispatch"])).status_code == 404
    assert ReviewCase.objects.get(pk=pk).state == State.FIRST_SCREENING
    user = request.getfixturevalue(persona)
    total = client.get(_admin("report")).context["rows"][-1]
    assert total.cases == ReviewCase.objects.filter(region__path__startswith=user.region.path).count() == (
        2 if persona == "other_town" else 1)  # their own cases, never 韩田村's


@pytest.mark.parametrize("persona", ["clerk", "finance"])
def test_roles_outside_civil_affairs_reach_no_case(request, client, hantian_case, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(_admin("changelist")).status_code == 403
    assert client.get(_admin("change", hantian_case.pk)).status_code in (302, 403, 404)
    assert client.get(_admin("report")).status_code == 403
    assert client.get(reverse("api-review-cases")).status_code == 403
    assert client.post(reverse("api-review-case-move", args=[hantian_case.pk, "dispatch"])).status_code == 403


def test_the_case_page_is_not_cached_and_offers_only_the_officers_moves(client, hantian_case, cab_city, cab_village):
    client.force_login(cab_city)
    page = client.get(_admin("change", hantian_case.pk))
    assert "no-store" in page["Cache-Control"]
    html = page.content.decode()
    assert _admin("dispatch", hantian_case.pk) in html and _admin("verify", hantian_case.pk) not in html
    client.force_login(cab_village)
    html = client.get(_admin("change", hantian_case.pk)).content.decode()
    assert _admin("dispatch", hantian_case.pk) not in html


def test_the_whole_path_through_the_desk(client, shared_run, hantian_case, cab_city, cab_town, cab_village,
                                         cab_city_colleague):
    pk = hantian_case.pk
    client.force_login(cab_city)
    response = client.post(_admin("bulk_dispatch"), {"run": shared_run.pk})
    assert response.status_code == 302
    assert ReviewCase.objects.filter(state=State.AT_TOWN).count() == 6

    client.force_login(cab_town)
    assert client.post(_admin("bulk_assign"), {"run": shared_run.pk}).status_code == 302
    assert ReviewCase.objects.get(pk=pk).state == State.AT_VILLAGE

    client.force_login(cab_village)
    form = {"visited_on": timezone.localdate().isoformat(), "household_income": "15600", "housing": "旧平房",
            "notes": "肾衰竭透析", "household-TOTAL_FORMS": "2", "household-INITIAL_FORMS": "0",
            "household-0-name": "张三", "household-0-relation": "本人", "household-0-annual_income": "3600",
            "household-1-name": "王芳", "household-1-relation": "配偶", "household-1-annual_income": "12000"}
    bad = client.post(_admin("verify", pk), {**form, "household_income": "-5"})
    assert bad.status_code == 200 and "household_income" in bad.context["form"].errors
    assert client.post(_admin("verify", pk), form).status_code == 302
    case = ReviewCase.objects.get(pk=pk)
    assert (case.state, case.household.count(), case.household_income) == (State.VERIFIED, 2, Decimal("15600"))

    client.force_login(cab_city)
    category = EligibilityCategory.objects.get(name="支出型困难家庭")
    missing = client.post(_admin("determine", pk), {"eligible": "yes"})
    assert "请选择认定类别" in missing.content.decode()
    assert client.post(_admin("determine", pk), {"eligible": "yes", "category": category.pk}).status_code == 302
    assert ReviewCase.objects.get(pk=pk).state == State.ELIGIBLE


def test_an_illegal_move_on_the_desk_shows_the_reason_and_changes_nothing(client, hantian_case, cab_city):
    client.force_login(cab_city)
    response = client.post(_admin("determine", hantian_case.pk), {"eligible": "no", "reason": "收入超标"})
    assert response.status_code == 200
    assert "当前状态为“监测初筛”，不能认定" in response.content.decode()
    assert ReviewCase.objects.get(pk=hantian_case.pk).state == State.FIRST_SCREENING


def test_the_api_moves_cases_through_the_same_services(client, hantian_case, cab_city, cab_town, cab_village):
    pk = hantian_case.pk
    client.force_login(cab_village)
    refused = client.post(reverse("api-review-case-move", args=[pk, "dispatch"]))
    assert refused.status_code == 403 and "派发" in refused.json()["detail"]
    client.force_login(cab_city)
    assert client.post(reverse("api-review-case-move", args=[pk, "dispatch"])).json()["state"] == State.AT_TOWN
    client.force_login(cab_town)
    assert client.post(reverse("api-review-case-move", args=[pk, "assign"])).json()["state"] == State.AT_VILLAGE
    client.force_login(cab_village)
    bad = client.post(reverse("api-review-case-move", args=[pk, "verify"]),
                      {"visited_on": timezone.localdate().isoformat(), "household_income": "100",
                       "household": [{"name": "张三", "relation": "本人", "resident_id": "123"}]},
                      content_type="application/json")
    assert bad.status_code == 400 and "身份证号码应为18位" in str(bad.json())
    ok = client.post(reverse("api-review-case-move", args=[pk, "verify"]),
                     {"visited_on": timezone.localdate().isoformat(), "household_income": "100",
                      "household": [{"name": "张三", "relation": "本人"}]}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["state"] == State.VERIFIED
    listed = client.get(reverse("api-review-cases")).json()["results"]
    assert [row["id"] for row in listed] == [pk, ReviewCase.objects.filter(region__name="韩田村").last().pk]
    assert listed[0]["name"].endswith("*") or "*" in listed[0]["name"]
    assert "*" in listed[0]["resident_id"]


def test_the_report_page_and_its_excel_file(client, shared_run, cab_city):
    client.force_login(cab_city)
    page = client.get(_admin("report"), {"run": shared_run.pk})
    assert page.status_code == 200 and "塘下镇" in page.content.decode() and "合计" in page.content.decode()
    download = client.get(_admin("report"), {"run": shared_run.pk, "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(download.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:4] == ("乡镇/街道", "审核对象", "已派发", "已甄别")
    assert rows[-1][0] == "合计" and rows[-1][1] == 6


def test_exporting_cases_is_logged_and_masked(client, shared_run, cab_town):
    client.force_login(cab_town)
    ids = list(ReviewCase.objects.filter(region__path__startswith=cab_town.region.path).values_list("pk", flat=True))
    response = client.post(_admin("changelist"), {"action": "export_selected", "_selected_action": ids})
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = content.strip().splitlines()
    assert len(lines) == 1 + 4
    assert all("**********" in line for line in lines[1:])  # ID numbers masked
    assert ExportLog.objects.filter(what="低收入资格审核名单", row_count=4, user=cab_town).exists()


def test_moving_a_case_to_no_area_asks_for_the_area_rather_than_refusing_it(client, hantian_case, cab_city):
    client.force_login(cab_city)
    answer = client.post(reverse("api-review-case-move", args=[hantian_case.pk, "move"]), {},
                         content_type="application/json")
    assert answer.status_code == 400
    assert "请选择调整后的乡镇（街道）或村（社区）" in str(answer.json())
    assert ReviewCase.objects.get(pk=hantian_case.pk).region == hantian_case.region
