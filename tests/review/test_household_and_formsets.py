"""A household is the applicant's: exactly one member is 本人, carrying the applicant's own ID
number, on the village's visit and on the clerk's application alike (one check,
assistance.review.household.household_rows_checked). A visit once saved 罗秀's case with 邓华's ID
number as 本人, and a visit with every member deleted.

Every formset is bounded: a page edited to say TOTAL_FORMS=5000 once rendered 2,000 empty member
rows (760 KB) without a word; now it is the formset's own error, in Chinese, above its rows."""
import sys

import pytest
from django.forms.formsets import BaseFormSet
from django.urls import reverse
from django.utils import timezone

from assistance.review import services as review
from assistance.formsets import BoundedFormSet
from assistance.review.household import MAX_MEMBERS, household_rows_checked
from assistance.models import Application, ReviewCase
from tests.fixtures.factories import make_resident_id
from tests.fixtures.screening import YEAR

pytestmark = pytest.mark.django_db
State = ReviewCase.State


@pytest.fixture
def visited_case(shared_run, cab_city, cab_town):
    """罗秀's case (韩田村), at the village for its visit."""
    case = ReviewCase.objects.filter(region__name="韩田村").order_by("id").first()
    return review.review_case_assign(case=review.review_case_dispatch(case=case, acting_user=cab_city),
                                     acting_user=cab_town)


@pytest.fixture
def someone_else(visited_case):
    """Another registered person (邓华): their ID number is not 罗秀's."""
    return ReviewCase.objects.exclude(pk=visited_case.pk).order_by("id").first().person


def _visit(client, case, *members, delete=()):
    form = {"visited_on": timezone.localdate().isoformat(), "household_income": "15600",
            "household-TOTAL_FORMS": str(len(members)), "household-INITIAL_FORMS": "0"}
    for number, (name, relation, resident_id) in enumerate(members):
        form |= {f"household-{number}-name": name, f"household-{number}-relation": relation,
                 f"household-{number}-resident_id": resident_id, f"household-{number}-annual_income": "0"}
    form |= {f"household-{number}-DELETE": "on" for number in delete}
    return client.post(reverse("admin:assistance_reviewcase_verify", args=[case.pk]), form)


# ------------------------------------------------------------------------------ the rule itself

def test_a_household_has_exactly_one_self_who_carries_the_applicants_id_number():
    own, other = make_resident_id(1), make_resident_id(2)

    def problems(rows):
        return household_rows_checked(rows, own_resident_id=own)[1]

    assert problems([]) == ["请填写家庭成员，至少填写申请人本人（关系填“本人”）"]
    assert problems([{"name": "王芳", "relation": "配偶"}]) == ["家庭成员中应有申请人本人：请在其关系一栏填写“本人”"]
    assert problems([{"name": "张三", "relation": "本人"}, {"name": "张四", "relation": " 本 人"}]) == [
        "关系为“本人”的只能有一位（现为第 1、2 位家庭成员）"]
    assert problems([{"name": "张三", "relation": "本人", "resident_id": other}]) == [
        "第 1 位家庭成员（本人）：身份证号码与申请人的不一致，“本人”应为申请人自己"]
    assert problems([{"name": "张三", "relation": "本人"}, {"name": "张三", "relation": "父亲", "resident_id": own}]) == [
        "第 2 位家庭成员：身份证号码是申请人本人的，申请人只填写一次（关系为“本人”）"]
    checked, found = household_rows_checked([{"name": "张三", "relation": "本人"}], own_resident_id=own)
    assert found == [] and checked[0]["resident_id"] == own  # 本人 left blank is the applicant
    assert problems([{"name": "张三", "relation": "本人", "resident_id": own.lower()}]) == []
    assert problems([{"name": f"成员{n}", "relation": "本人" if n == 0 else "子女"} for n in range(MAX_MEMBERS + 1)]) \
        == [f"家庭成员最多填写 {MAX_MEMBERS} 位，现有 {MAX_MEMBERS + 1} 位"]


# ------------------------------------------------------------------------------ the village's visit

def test_a_visit_cannot_record_another_registered_person_as_the_self_member(client, cab_village, visited_case, someone_else):
    client.force_login(cab_village)
    person = visited_case.person
    response = _visit(client, visited_case, (person.name, "本人", someone_else.resident_id))
    assert response.status_code == 200
    assert "身份证号码与申请人的不一致" in response.content.decode()
    visited_case.refresh_from_db()
    assert visited_case.state == State.AT_VILLAGE and not visited_case.household.exists()


@pytest.mark.parametrize("members, delete, shown", [
    ([("罗秀", "本人", ""), ("王芳", "配偶", "")], (0, 1), "至少填写申请人本人"),  # every member deleted
    ([("王芳", "配偶", "")], (), "家庭成员中应有申请人本人"),
    ([("罗秀", "本人", ""), ("罗秀", "本人", "")], (), "关系为“本人”的只能有一位"),
])
def test_a_visit_must_record_the_person_as_self_exactly_once(client, cab_village, visited_case, members, delete,
                                                             shown):
    client.force_login(cab_village)
    response = _visit(client, visited_case, *members, delete=delete)
    assert response.status_code == 200 and shown in response.content.decode()
    assert ReviewCase.objects.get(pk=visited_case.pk).state == State.AT_VILLAGE


def test_a_visit_records_the_self_member_with_the_case_persons_own_id_number(client, cab_village, visited_case):
    client.force_login(cab_village)
    response = _visit(client, visited_case, ("罗秀", "本人", ""), ("王芳", "配偶", ""))
    assert response.status_code == 302
    own = visited_case.household.get(relation="本人")
    assert own.resident_id == visited_case.person.resident_id


# ------------------------------------------------------------------------------ the clerk's application

def _application_form(person, regions, **members):
    return {"step": "submit", "resident_id": person.resident_id, "year": YEAR, "name": person.name,
            "region": regions["hantian"].pk, "phone": "13812345678", "account_holder": person.name,
            "bank_name": "瑞安农商银行", "account_number": "6228480012345673256",
            "members-INITIAL_FORMS": 0, "costs-TOTAL_FORMS": 0, "costs-INITIAL_FORMS": 0,
            "documents-TOTAL_FORMS": 0, "documents-INITIAL_FORMS": 0, **members}


@pytest.mark.parametrize("members, shown", [
    ({"members-TOTAL_FORMS": 0}, "至少填写申请人本人"),
    ({"members-TOTAL_FORMS": 1, "members-0-name": "王芳", "members-0-relation": "配偶"}, "家庭成员中应有申请人本人"),
    ({"members-TOTAL_FORMS": 1, "members-0-name": "罗秀", "members-0-relation": "本人", "members-0-resident_id": "other"},
     "身份证号码与申请人的不一致"),
])
def test_an_application_household_has_the_applicant_as_self_exactly_once(client, clerk, visited_case, someone_else,
                                                                       regions, members, shown):
    if members.get("members-0-resident_id") == "other":
        members["members-0-resident_id"] = someone_else.resident_id
    client.force_login(clerk)
    response = client.post(reverse("workspace:new"), _application_form(visited_case.person, regions, **members))
    assert response.status_code == 200 and shown in response.content.decode()
    assert not Application.objects.exists()


# ------------------------------------------------------------------------------ bounded formsets

def _project_formsets() -> list[type]:
    """Every formset class a module of the project defines (formset_factory's products included)."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # every view module (and the forms they use) imported
    apps = ("assistance", "donations", "disclosure", "fundportal", "accounts", "payouts")
    found = {value for name, module in list(sys.modules.items()) if name.split(".")[0] in apps
             for value in vars(module).values()
             if isinstance(value, type) and issubclass(value, BaseFormSet)
             and not (value.__module__.startswith("django") and value.__name__.startswith("Base"))}
    return sorted(found - {BoundedFormSet}, key=lambda formset: formset.__name__)


def test_every_formset_of_the_project_is_bounded_and_says_so_in_chinese():
    from assistance.review.forms import HouseholdFormSet
    from assistance.council.forms import SchemeRuleFormSet
    from assistance.applications.forms import DocumentFormSet, ExtraCostFormSet, MemberFormSet

    formsets = _project_formsets()
    assert set(formsets) >= {MemberFormSet, ExtraCostFormSet, DocumentFormSet, HouseholdFormSet, SchemeRuleFormSet}
    for formset in formsets:
        assert issubclass(formset, BoundedFormSet), formset
        assert formset.validate_max and formset.absolute_max == formset.max_num <= 100, formset
        tampered = formset({"form-TOTAL_FORMS": "5000", "form-INITIAL_FORMS": "0"})
        assert not tampered.is_valid() and len(tampered.forms) == formset.max_num
        assert tampered.non_form_errors() == [f"最多只能填写 {formset.max_num} 行，请删去多余的行后重新提交"]


def test_the_workspace_shows_a_formsets_own_error_and_renders_no_more_rows_than_its_bound(client, clerk,
                                                                                        visited_case, regions):
    client.force_login(clerk)
    response = client.post(reverse("workspace:new"), _application_form(visited_case.person, regions, **{
        "members-TOTAL_FORMS": 5000, "members-0-name": "罗秀", "members-0-relation": "本人"}))
    page = response.content.decode()
    assert response.status_code == 200 and f"最多只能填写 {MAX_MEMBERS} 行" in page
    assert page.count('name="members-') <= 3 * MAX_MEMBERS + 4  # three fields a row, the management form
    assert len(page) < 200_000 and not Application.objects.exists()


def test_the_visit_page_shows_a_formsets_own_error_and_renders_no_more_rows_than_its_bound(client, cab_village,
                                                                                         visited_case):
    client.force_login(cab_village)
    response = _visit(client, visited_case, ("罗秀", "本人", ""))
    assert response.status_code == 302  # the untampered visit saves
    ReviewCase.objects.filter(pk=visited_case.pk).update(state=State.RETURNED)  # sent back: visited again
    response = client.post(reverse("admin:assistance_reviewcase_verify", args=[visited_case.pk]), {
        "visited_on": timezone.localdate().isoformat(), "household_income": "1", "household-TOTAL_FORMS": "5000",
        "household-INITIAL_FORMS": "0", "household-0-name": "罗秀", "household-0-relation": "本人",
        "household-0-annual_income": "0"})
    page = response.content.decode()
    assert response.status_code == 200 and f"最多只能填写 {MAX_MEMBERS} 行" in page
    assert page.count('name="household-') <= 6 * MAX_MEMBERS + 4
    assert ReviewCase.objects.get(pk=visited_case.pk).state == State.RETURNED
