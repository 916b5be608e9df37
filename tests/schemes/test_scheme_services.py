"""Drafting schemes: versions, checked rules, approved schemes never edited, the amount for an
application, and the admin pages the council's secretary uses."""
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from assistance.models import EligibilityCategory, Scheme
from assistance.council.schemes import application_compute, scheme_create, scheme_new_version, scheme_update

pytestmark = pytest.mark.django_db
D = Decimal


def rules():
    low = EligibilityCategory.objects.get(name="低保对象")
    return [{"category": low, "deductible": D("5000"), "bands": [(0, 20000, D("0.7")), (20000, None, D("0.8"))]},
            {"category": None, "deductible": D("10000"), "bands": [(0, None, D("0.5"))]}]


def draft(user, **changes):
    return scheme_create(**{"acting_user": user, "year": 2022, "name": "慈善医疗救助方案",
                            "annual_cap": D("50000"), "rules": rules(), **changes})


def test_drafts_are_numbered_per_year_and_their_rules_kept(secretary):
    first, second = draft(secretary), draft(secretary)
    other_year = draft(secretary, year=2023)
    assert (first.version, second.version, other_year.version) == (1, 2, 1)
    terms = first.terms()
    low = EligibilityCategory.objects.get(name="低保对象").pk
    assert terms.rules[low].deductible == D("5000.00") and terms.rules[None].bands[0].ratio == D("0.5")


@pytest.mark.parametrize("bad_rules, message", [
    ([{"category": None, "deductible": D("0"), "bands": [(10, None, D("0.5"))]}], "第一段应从 0 元开始"),
    ([{"category": None, "deductible": D("0"), "bands": [(0, None, D("1.5"))]}], "救助比例应在 0 至 100%"),
    ([{"category": None, "deductible": D("-1"), "bands": [(0, None, D("0.5"))]}], "起付标准不能为负数"),
    ([], "须有一条不指定类别的规则"),
])
def test_bad_rules_are_refused_with_a_chinese_reason(secretary, bad_rules, message):
    with pytest.raises(ValidationError, match=message):
        draft(secretary, rules=bad_rules)
    assert not Scheme.objects.exists()


def test_an_approved_scheme_is_never_edited_and_a_new_version_copies_it(secretary):
    scheme = draft(secretary)
    Scheme.objects.filter(pk=scheme.pk).update(approved_at=timezone.now())  # as a signed resolution does
    scheme.refresh_from_db()
    with pytest.raises(ValidationError, match="已经理事会批准，不能修改"):
        scheme_update(scheme=scheme, acting_user=secretary, annual_cap=D("80000"))
    copy = scheme_new_version(scheme=scheme, acting_user=secretary)
    assert (copy.version, copy.approved_at, copy.annual_cap) == (2, None, scheme.annual_cap)
    assert copy.terms().rules == scheme.terms().rules
    copy = scheme_update(scheme=copy, acting_user=secretary, annual_cap=D("80000"))
    assert Scheme.objects.get(pk=scheme.pk).annual_cap == D("50000.00")


@pytest.mark.parametrize("persona", ["finance", "msb", "clerk"])
def test_only_the_council_secretary_drafts_schemes(request, persona):
    with pytest.raises(PermissionDenied):
        draft(request.getfixturevalue(persona))


def test_the_amount_for_an_application_follows_its_category(secretary, db):
    from types import SimpleNamespace

    low = EligibilityCategory.objects.get(name="低保对象")
    scheme = draft(secretary)
    application = SimpleNamespace(year=2022, insured_out_of_pocket=D("60000.00"), extra_costs_total=D("0.00"),
                                  review_case=SimpleNamespace(category_id=low.pk))
    assert application_compute(scheme=scheme, application=application).amount == D("42000.00")
    application.review_case.category_id = None
    with pytest.raises(ValidationError, match="尚未被认定"):
        application_compute(scheme=scheme, application=application)
    application.review_case.category_id, application.year = low.pk, 2023
    with pytest.raises(ValidationError, match="方案适用于 2022 年"):
        application_compute(scheme=scheme, application=application)


def test_the_secretary_drafts_a_scheme_in_the_admin_and_mistakes_keep_what_was_typed(client, secretary):
    client.force_login(secretary)
    low = EligibilityCategory.objects.get(name="低保对象")
    form = {"year": 2022, "name": "慈善医疗救助方案", "annual_cap": "50000", "rounding": "yuan",
            "count_extra_costs": "on", "notes": "", "rules-TOTAL_FORMS": 2, "rules-INITIAL_FORMS": 0,
            "rules-0-category": low.pk, "rules-0-deductible": "5000", "rules-0-uppers": "20000",
            "rules-0-ratios": "70, 80", "rules-1-category": "", "rules-1-deductible": "10000", "rules-1-uppers": "",
            "rules-1-ratios": "50"}
    bad = client.post(reverse("admin:assistance_scheme_add"), {**form, "rules-0-ratios": "70"})
    html = bad.content.decode()
    assert bad.status_code == 200 and "有 1 个分段上限，应有 2 个救助比例" in html and "慈善医疗救助方案" in html
    no_default = client.post(reverse("admin:assistance_scheme_add"), {**form, "rules-TOTAL_FORMS": 1})
    assert "须有一条不指定类别的规则" in no_default.content.decode()
    assert not Scheme.objects.exists()
    response = client.post(reverse("admin:assistance_scheme_add"), form)
    scheme = Scheme.objects.get()
    assert response.status_code == 302 and scheme.terms().rules[low.pk].bands[1].ratio == D("0.8")


def test_an_approved_scheme_page_is_read_only_with_a_new_version_button(client, secretary, finance):
    scheme = draft(secretary)
    Scheme.objects.filter(pk=scheme.pk).update(approved_at=timezone.now())
    client.force_login(secretary)
    page = client.get(reverse("admin:assistance_scheme_change", args=[scheme.pk])).content.decode()
    assert reverse("admin:assistance_scheme_new_version", args=[scheme.pk]) in page
    assert 'name="annual_cap"' not in page
    response = client.post(reverse("admin:assistance_scheme_new_version", args=[scheme.pk]))
    assert response.status_code == 302 and Scheme.objects.count() == 2
    client.force_login(finance)
    assert client.get(reverse("admin:assistance_scheme_add")).status_code == 403
