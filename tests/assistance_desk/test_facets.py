"""The "显示计数" link (?_facets=…) works on every list, for every role that may open it: Django
counts each filter choice by handing the filter the choice's own key — an integer for a town, a
run or a year — and a checked filter must accept it as it accepts the same value typed as text."""
import datetime as dt

import pytest
from django.contrib import admin
from django.urls import reverse

from assistance.models import SettlementImport, SettlementRecord
from assistance.review.services import review_cases_open_for_run, screening_run_share
from fundportal.admin_utils import CheckedListFilter
from tests.fixtures.screening import YEAR, make_run

pytestmark = pytest.mark.django_db

ROLES = ["cab_city", "cab_town", "msb", "auditor", "admin_user"]


@pytest.fixture
def data(msb, regions):
    run = screening_run_share(run=make_run(msb, [(1, regions["hantian"]), (2, regions["tangxia"]),
                                                 (3, regions["xincheng"])]), acting_user=msb)
    review_cases_open_for_run(run=run, acting_user=msb)
    SettlementImport.objects.create(year=YEAR, file_name="a.csv", state=SettlementImport.State.DONE, created_by=msb)
    SettlementRecord.objects.create(
        person=run.targets.first().person, year=YEAR, settlement_no="JS0001", settled_on=dt.date(YEAR, 3, 1),
        institution="瑞安市人民医院", total_cost=100, fund_basic=50, fund_critical=0, fund_assistance=0,
        out_of_pocket=50)
    return run


def _changelists_with_filters():
    for model, model_admin in admin.site._registry.items():
        if model_admin.list_filter:
            yield reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


@pytest.mark.slow
@pytest.mark.parametrize("persona", ROLES)
@pytest.mark.parametrize("facets", ["True", "abc"])
def test_showing_counts_on_any_list_is_never_a_500_for_any_role(request, client, data, persona, facets):
    client.force_login(request.getfixturevalue(persona))
    opened = 0
    for url in _changelists_with_filters():
        response = client.get(url, {"_facets": facets})
        assert response.status_code in (200, 302, 403), (url, response.status_code)
        if response.status_code != 200:
            continue
        opened += 1
        # Each offered choice, with the counts shown: the filter applied and counted at once.
        for spec in response.context["cl"].filter_specs:
            for choice in list(spec.choices(response.context["cl"]))[1:4]:
                chosen = client.get(url + choice["query_string"])
                assert chosen.status_code == 200, (url, choice["query_string"], chosen.status_code)
    assert opened >= 3  # the three lists the probe named are open to every one of these roles


@pytest.mark.parametrize("persona", ["cab_city", "msb", "admin_user"])
def test_counts_shown_count_each_town(client, data, request, persona, regions):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("admin:assistance_reviewcase_changelist"), {"_facets": "True"})
    town = next(spec for spec in response.context["cl"].filter_specs if getattr(spec, "parameter_name", "") == "town")
    shown = {choice["display"] for choice in town.choices(response.context["cl"])}
    assert "塘下镇 (2)" in shown and "莘塍街道 (1)" in shown


def test_a_checked_filter_accepts_its_choice_keys_as_django_passes_them(rf, msb, data, regions):
    from assistance.admin_common import TownFilter
    from assistance.intake.admin import WarningTargetAdmin
    from assistance.models import WarningTarget

    request = rf.get("/")
    request.user = msb
    town = TownFilter(request, {}, WarningTarget, WarningTargetAdmin(WarningTarget, admin.site))
    assert isinstance(town, CheckedListFilter)
    for key in (regions["tangxia"].pk, str(regions["tangxia"].pk)):
        town.used_parameters[town.parameter_name] = key
        assert town.queryset(request, WarningTarget.objects.all()).count() == 2
    town.used_parameters[town.parameter_name] = 987654321
    with pytest.raises(ValueError):
        town.cleaned()
