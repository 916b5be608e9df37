"""What every admin page of the portal does, whichever app registered it (fundportal.admin_utils):

- a record's page named by a malformed id ("abc"), a missing one, or one the user may not see is a
  404 for every role — never a 500, never a redirect repeating the id;
- a filter over a related model offers only the related rows the user may see;
- a list whose count is capped says "10,000 条以上", never a number that looks exact;
- a year is written 2022, never "2,022".
"""
import datetime as dt
from decimal import Decimal

import pytest
from django.contrib import admin
from django.urls import NoReverseMatch, reverse

from assistance.models import InsuredPerson, ReviewCase, SettlementRecord
from assistance.review.services import screening_run_share
from fundportal.admin_utils import CappedCountPaginator, ScopedRelatedFieldListFilter
from tests.fixtures.screening import YEAR, make_run

pytestmark = pytest.mark.django_db


def _object_urls(model, object_id) -> list[str]:
    urls = []
    for view in ("change", "delete"):
        try:
            urls.append(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=[object_id]))
        except NoReverseMatch:
            continue
    return urls


@pytest.mark.parametrize("persona", ["admin_user", "msb", "cab_city", "clerk", "secretary", "finance", "auditor"])
def test_every_admins_page_for_a_malformed_or_missing_id_is_a_404_for_every_role(request, client, persona):
    client.force_login(request.getfixturevalue(persona))
    checked = 0
    for model in admin.site._registry:
        for object_id in ("abc", "987654321"):
            for url in _object_urls(model, object_id):
                response = client.get(url)
                assert response.status_code == 404, (url, response.status_code)
                checked += 1
    assert checked > 100  # every registered admin: the portal's apps and the libraries'


def test_a_record_the_role_may_not_view_is_a_404_like_a_missing_one(client, shared_run_of_city, clerk, msb):
    case = ReviewCase.objects.first()
    client.force_login(clerk)  # no view permission on review cases
    assert client.get(reverse("admin:assistance_reviewcase_change", args=[case.pk])).status_code == 404
    client.force_login(msb)
    assert client.get(reverse("admin:assistance_reviewcase_change", args=[case.pk])).status_code == 200


@pytest.fixture
def shared_run_of_city(msb, regions):
    from assistance.review.services import review_cases_open_for_run

    run = screening_run_share(run=make_run(msb, [(1, regions["hantian"]), (2, regions["tangxia"]), (4, regions["hantian"])]),
                              acting_user=msb)
    review_cases_open_for_run(run=run, acting_user=msb)
    return run


@pytest.fixture
def unshared_run(msb, regions):
    return make_run(msb, [(3, regions["hantian"])])


def _run_choices(client) -> set[str]:
    response = client.get(reverse("admin:assistance_warningtarget_changelist"))
    assert response.status_code == 200
    spec = next(spec for spec in response.context["cl"].filter_specs if getattr(spec, "field_path", "") == "run")
    return {str(label) for _pk, label in spec.lookup_choices}


def test_the_warning_target_run_filter_names_only_runs_the_user_may_see(client, shared_run_of_city, unshared_run,
                                                                        cab_city, msb, regions):
    later = screening_run_share(run=make_run(msb, [(5, regions["tangxia"])]), acting_user=msb)
    client.force_login(cab_city)
    assert _run_choices(client) == {str(shared_run_of_city), str(later)}
    html = client.get(reverse("admin:assistance_warningtarget_changelist")).content.decode()
    assert f"#{unshared_run.pk}（" not in html
    client.force_login(msb)
    assert _run_choices(client) == {str(shared_run_of_city), str(later), str(unshared_run)}


def test_every_related_field_filter_of_every_admin_is_scoped(rf, admin_user):
    request = rf.get("/")
    request.user = admin_user
    scoped = 0
    for model, model_admin in admin.site._registry.items():
        for item in model_admin.get_list_filter(request):
            if isinstance(item, str):
                name, filter_class = item, None
            elif isinstance(item, tuple | list):
                name, filter_class = item
            else:
                continue  # a SimpleListFilter: scoped by its own lookups
            if not model._meta.get_field(name.split("__")[0]).is_relation:
                continue
            assert filter_class is not None and filter_class is not admin.RelatedFieldListFilter, (model, name)
            scoped += filter_class is ScopedRelatedFieldListFilter
    assert scoped >= 2  # warning targets' run, review cases' category (and the libraries' own)


def test_a_capped_count_reads_as_more_than_the_cap(client, shared_run_of_city, cab_city, monkeypatch):
    monkeypatch.setattr(CappedCountPaginator, "CAP", 1)
    client.force_login(cab_city)
    html = client.get(reverse("admin:assistance_reviewcase_changelist"), {"q": ""}).content.decode()
    assert "1 条以上" in html
    assert '<span class="small quiet">1 条以上结果' in html  # the search form's count
    assert "选中全部 1 条以上" in html  # the actions' "select all"
    assert "2 低收入资格审核" not in html and "3 低收入资格审核" not in html and "2 条结果" not in html


def test_an_uncapped_count_stays_exact(client, shared_run_of_city, cab_city):
    client.force_login(cab_city)
    html = client.get(reverse("admin:assistance_reviewcase_changelist")).content.decode()
    assert "条以上" not in html and "3 低收入资格审核" in html


def test_years_are_written_without_a_thousands_separator(client, shared_run_of_city, msb, cab_city):
    person = InsuredPerson.objects.first()
    record = SettlementRecord.objects.create(year=YEAR, settlement_no="JS1", person=person,
                                             settled_on=dt.date(YEAR, 3, 1), institution="瑞安市人民医院",
                                             total_cost=Decimal("9000"), out_of_pocket=Decimal("3000"))
    case = ReviewCase.objects.get(person=person)
    pages = {msb: [reverse("admin:assistance_settlementrecord_changelist"),
                   reverse("admin:assistance_settlementrecord_change", args=[record.pk]),
                   reverse("admin:assistance_insuredperson_change", args=[person.pk]),
                   reverse("admin:assistance_insuredperson_costs", args=[person.pk, YEAR]),
                   reverse("admin:assistance_screeningrun_changelist"),
                   reverse("admin:assistance_screeningrun_change", args=[shared_run_of_city.pk])],
             cab_city: [reverse("admin:assistance_reviewcase_changelist"),
                        reverse("admin:assistance_reviewcase_change", args=[case.pk])]}
    for user, urls in pages.items():
        client.force_login(user)
        for url in urls:
            html = client.get(url).content.decode()
            assert f"{YEAR:,}" not in html and str(YEAR) in html, url
