"""The application form carries the applicant's ID number and year from the look-up in hidden
fields; a page can be edited, so they are checked again on submitting — a tampered one is an
error shown above the form, never a 500 and never an error nobody sees."""
import pytest
from django.urls import reverse

from assistance.models import Application, ReviewCase
from tests.fixtures.screening import YEAR

pytestmark = pytest.mark.django_db


@pytest.fixture
def target_person(shared_run):
    return ReviewCase.objects.filter(region__name="韩田村").order_by("id").first().person


def _form(person, regions, **changes):
    return {"step": "submit", "resident_id": person.resident_id, "year": YEAR, "name": person.name,
            "region": regions["hantian"].pk, "phone": "13812345678", "account_holder": person.name,
            "bank_name": "瑞安农商银行", "account_number": "6228480012345673256",
            "members-TOTAL_FORMS": 1, "members-INITIAL_FORMS": 0, "members-0-name": person.name,
            "members-0-relation": "本人", "costs-TOTAL_FORMS": 0, "costs-INITIAL_FORMS": 0,
            "documents-TOTAL_FORMS": 0, "documents-INITIAL_FORMS": 0, **changes}


def _wrong_check_digit(resident_id: str) -> str:
    return resident_id[:17] + ("0" if resident_id[17] != "0" else "1")


@pytest.mark.parametrize("field, value, shown", [
    ("resident_id", "123", "身份证号码应为18位"),
    ("resident_id", "wrong check digit", "校验位错误"),
    ("resident_id", "", "该字段是必填项"),
    ("year", "abc", "医疗费用年度"),
    ("year", "2099", "医疗费用年度"),
    ("year", "99999999999999999999", "医疗费用年度"),
])
def test_a_tampered_hidden_field_is_an_error_shown_above_the_form(client, clerk, target_person, regions, field,
                                                                  value, shown):
    if value == "wrong check digit":
        value = _wrong_check_digit(target_person.resident_id)
    client.force_login(clerk)
    response = client.post(reverse("workspace:new"), _form(target_person, regions, **{field: value}))
    assert response.status_code == 200
    html = response.content.decode()
    errors = html.split('role="alert"', 1)
    assert len(errors) == 2 and shown in errors[1].split("</div>", 1)[0]  # in the visible error block
    assert not Application.objects.exists()


def test_the_untampered_form_still_submits(client, clerk, target_person, regions):
    client.force_login(clerk)
    response = client.post(reverse("workspace:new"), _form(target_person, regions))
    assert response.status_code == 302 and Application.objects.get().person == target_person


def test_a_visible_field_error_keeps_the_summary_from_the_hidden_ones(client, clerk, target_person, regions):
    client.force_login(clerk)
    response = client.post(reverse("workspace:new"), _form(target_person, regions, phone=""))
    assert response.status_code == 200 and response.context["prefill"].person == target_person
