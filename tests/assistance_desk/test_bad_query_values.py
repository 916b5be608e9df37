"""A value typed into an address is checked before any query sees it: a list filter ignores a
value it does not offer (with a message), the API answers a 400 in Chinese naming the parameter,
a date drill-down outside the calendar is refused like any malformed filter — never a 500, on
any admin, for any value."""
import datetime as dt

import pytest
from django.contrib import admin
from django.contrib.messages import get_messages
from django.urls import reverse

from assistance.models import ReviewCase, SettlementImport, SettlementRecord
from assistance.review.services import review_cases_open_for_run, screening_run_share
from tests.fixtures.screening import YEAR, make_run

pytestmark = pytest.mark.django_db

# Values the probe typed, and a few of their neighbours.
BAD_VALUES = ["abc", "123abc", "99999999999999999999", "-1", "1.5", "１２", " "]


@pytest.fixture
def run(msb, regions):
    run = screening_run_share(run=make_run(msb, [(1, regions["hantian"]), (2, regions["tangxia"])]), acting_user=msb)
    review_cases_open_for_run(run=run, acting_user=msb)
    return run


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_every_custom_list_filter_of_every_admin_checks_its_value(rf, admin_user):
    from fundportal.admin_utils import CheckedListFilter

    request = rf.get("/")
    request.user = admin_user
    custom = []
    for model, model_admin in admin.site._registry.items():
        for item in model_admin.get_list_filter(request):
            if isinstance(item, type) and issubclass(item, admin.SimpleListFilter):
                assert issubclass(item, CheckedListFilter), (model, item)
                custom.append(item)
    assert len(custom) >= 4  # towns, imported years, overdue, runs


@pytest.mark.parametrize("url_name, parameter", [
    ("assistance_reviewcase_changelist", "run"),
    ("assistance_reviewcase_changelist", "town"),
    ("assistance_reviewcase_changelist", "overdue"),
    ("assistance_warningtarget_changelist", "town"),
    ("assistance_settlementrecord_changelist", "year"),
])
@pytest.mark.parametrize("value", BAD_VALUES)
def test_a_filter_value_the_filter_does_not_offer_is_ignored_with_a_message(client, run, msb, url_name, parameter,
                                                                           value):
    client.force_login(msb)
    response = client.get(reverse(f"admin:{url_name}"), {parameter: value})
    assert response.status_code == 200
    unfiltered = client.get(reverse(f"admin:{url_name}")).context["cl"].result_count
    assert response.context["cl"].result_count == unfiltered
    if value.strip():
        assert any("的值无效，已忽略" in message for message in _messages(response))


def test_a_town_outside_the_officers_area_is_ignored_like_a_malformed_one(client, run, cab_town, regions):
    client.force_login(cab_town)
    response = client.get(reverse("admin:assistance_reviewcase_changelist"), {"town": regions["xincheng"].pk})
    assert response.status_code == 200 and any("已忽略" in message for message in _messages(response))


def test_a_good_filter_value_still_filters(client, run, msb, regions):
    client.force_login(msb)
    SettlementImport.objects.create(year=YEAR, file_name="a.csv", state=SettlementImport.State.DONE,
                                    created_by=msb)
    cases = client.get(reverse("admin:assistance_reviewcase_changelist"), {"town": regions["tangxia"].pk})
    assert cases.context["cl"].result_count == 2 and not _messages(cases)
    by_run = client.get(reverse("admin:assistance_reviewcase_changelist"), {"run": run.pk})
    assert by_run.context["cl"].result_count == 2 and not _messages(by_run)
    years = client.get(reverse("admin:assistance_settlementrecord_changelist"), {"year": YEAR})
    assert years.status_code == 200 and not _messages(years)


@pytest.mark.parametrize("value", BAD_VALUES)
def test_the_review_report_and_the_bulk_pages_ignore_a_malformed_run(client, run, cab_city, value):
    client.force_login(cab_city)
    page = client.get(reverse("admin:assistance_reviewcase_report"), {"run": value})
    assert page.status_code == 200 and page.context["run"] is None
    assert client.get(reverse("admin:assistance_reviewcase_report"), {"run": value, "format": "xlsx"}).status_code == 200
    assert client.get(reverse("admin:assistance_reviewcase_bulk_dispatch"), {"run": value}).status_code == 200
    moved = client.post(reverse("admin:assistance_reviewcase_bulk_dispatch"), {"run": value})
    assert moved.status_code == 302


def test_the_resolution_draft_page_ignores_a_malformed_meeting(client, db):
    from tests.fixtures.personas import make_user
    from fundportal.roles import Role

    client.force_login(make_user("secretary", Role.COUNCIL_SECRETARY))
    for value in ("abc", "99999999999999999999"):
        response = client.get(reverse("admin:assistance_resolution_add"), {"meeting": value, "amends": value})
        assert response.status_code == 302  # to the meetings, with the message to open one


@pytest.mark.parametrize("url_name, parameter, message", [
    ("api-review-cases", "run", "筛查批次应为批次编号"),
    ("api-review-cases", "state", "审核状态应为以下之一"),
    ("api-applications", "state", "申请状态应为以下之一"),
    ("api-payouts", "state", "支付状态应为以下之一"),
])
@pytest.mark.parametrize("value", ["abc", "99999999999999999999", "0"])
def test_the_api_refuses_a_malformed_filter_with_a_chinese_400(client, run, url_name, parameter, message, value,
                                                               admin_user):
    client.force_login(admin_user)
    response = client.get(reverse(url_name), {parameter: value})
    assert response.status_code == 400
    assert message in response.json()[parameter][0]


def test_the_api_filters_still_filter(client, run, msb):
    client.force_login(msb)
    assert len(client.get(reverse("api-review-cases"), {"run": run.pk}).json()["results"]) == 2
    assert client.get(reverse("api-review-cases"), {"run": run.pk + 1}).json()["results"] == []
    assert client.get(reverse("api-review-cases"), {"state": "first_screening"}).status_code == 200


DRILLDOWNS = [
    {"year": "99999999999999999999"}, {"year": "9999"}, {"year": "0"}, {"year": "1"}, {"year": "abc"},
    {"year": "2023", "month": "13"}, {"year": "2023", "month": "99999999999999999999"},
    {"year": "2023", "month": "2", "day": "30"}, {"year": "9998", "month": "12", "day": "31"},
    {"month": "99999999999999999999"}, {"day": "0"},
]


def test_a_date_drill_down_outside_the_calendar_is_never_a_500_in_any_admin(client, admin_user):
    client.force_login(admin_user)
    checked = 0
    for model, model_admin in admin.site._registry.items():
        if not model_admin.date_hierarchy:
            continue
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for parts in DRILLDOWNS:
            params = {f"{model_admin.date_hierarchy}__{part}": value for part, value in parts.items()}
            response = client.get(url, params)
            assert response.status_code in (200, 302), (url, params, response.status_code)
            if response.status_code == 302:
                assert response["Location"].endswith("?e=1")  # Django's answer to a malformed filter
            checked += 1
        assert client.get(url, {f"{model_admin.date_hierarchy}__year": "2023"}).status_code == 200
    assert checked >= 6 * len(DRILLDOWNS)  # meetings, donations, ledger entries, flags, overdue counts …


def test_a_persons_costs_page_exists_only_for_a_year_with_settlements(client, msb, regions):
    run = make_run(msb, [(7, regions["hantian"])])
    person = run.targets.get().person
    SettlementRecord.objects.create(
        person=person, year=YEAR, settlement_no="JS0001", settled_on=dt.date(YEAR, 3, 1), institution="瑞安市人民医院",
        total_cost=100, fund_basic=50, fund_critical=0, fund_assistance=0, out_of_pocket=50)
    client.force_login(msb)
    costs = "admin:assistance_insuredperson_costs"
    assert client.get(reverse(costs, args=[person.pk, YEAR])).status_code == 200
    for year in (YEAR + 1, 99999999999999999999999, 0):
        assert client.get(reverse(costs, args=[person.pk, year])).status_code == 404
    assert client.get(reverse(costs, args=[99999999999999999999, YEAR])).status_code == 404


def test_a_review_case_filter_keeps_the_officer_in_their_area(client, run, cab_village):
    # Not new, but the checked filter must not widen what an officer sees.
    client.force_login(cab_village)
    response = client.get(reverse("admin:assistance_reviewcase_changelist"), {"run": run.pk})
    assert {case.region.name for case in response.context["cl"].result_list} == {"韩田村"}
    assert ReviewCase.objects.count() == 2


def test_every_api_list_declares_its_filters_and_refuses_a_bad_value_of_each(client, run, admin_user):
    """?run=abc on the targets was answered as if unfiltered while the review cases answered 400:
    every list declares its filters (fundportal.api.FilteredList) and checks them the same way."""
    from rest_framework.generics import ListAPIView

    from fundportal.api import FilteredList
    from tests.core.test_api_bad_input import _api_views

    client.force_login(admin_user)
    lists = {route: view for route, view in _api_views() if issubclass(view, ListAPIView)}
    assert [route for route, view in lists.items() if not issubclass(view, FilteredList)] == []
    checked = 0
    for route, view in lists.items():
        if view.filter_serializer is None or "<" in route:
            continue
        for name in view.filter_serializer().fields:
            response = client.get(f"/{route}", {name: "abc" * 100})  # not a number, a choice, nor short
            assert response.status_code == 400, (route, name, response.status_code)
            assert list(response.json()) == [name], (route, response.json())
            checked += 1
    assert checked >= 8  # review cases (state, run), targets (run), applications, payouts (batch, state), statements …
    assert "api/assistance/targets/" in lists and lists["api/assistance/targets/"].filter_serializer is not None


def test_the_targets_filter_by_run(client, run, msb, regions):
    other = screening_run_share(run=make_run(msb, [(9, regions["hantian"])]), acting_user=msb)
    client.force_login(msb)
    assert len(client.get(reverse("api-targets"), {"run": run.pk}).json()["results"]) == 2
    assert len(client.get(reverse("api-targets"), {"run": other.pk}).json()["results"]) == 1
    assert len(client.get(reverse("api-targets")).json()["results"]) == 3
    response = client.get(reverse("api-targets"), {"run": "abc"})
    assert response.status_code == 400 and "筛查批次应为批次编号" in response.json()["run"][0]
