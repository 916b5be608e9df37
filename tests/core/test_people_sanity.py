"""Dates and numbers about people must be possible: nobody dies before they were born (the birth
date comes from the ID number), and a household lists each person once (two members with one ID
number would count that person's income and place in the family twice)."""
import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from assistance.review.household import household_rows_checked
from assistance.models import InsuredPerson
from assistance.intake.services import insured_person_set_deceased
from tests.fixtures.factories import make_resident_id

pytestmark = pytest.mark.django_db

BORN = dt.date(1963, 4, 2)


@pytest.fixture
def person():
    return InsuredPerson.objects.create(resident_id=make_resident_id(63, birth=BORN), name="蒋芳", sex="F",
                                        birth_date=BORN)


def test_a_death_before_the_persons_birth_is_refused_by_the_service(person, msb):
    with pytest.raises(ValidationError) as refused:
        insured_person_set_deceased(person=person, is_deceased=True, died_on=dt.date(1900, 1, 1), acting_user=msb)
    assert refused.value.message_dict["died_on"] == ["死亡日期不能早于出生日期（1963-04-02）"]
    person.refresh_from_db()
    assert not person.is_deceased and person.died_on is None
    insured_person_set_deceased(person=person, is_deceased=True, died_on=BORN, acting_user=msb)  # the same day is possible


def test_a_death_before_the_persons_birth_is_refused_by_the_admin_form(client, person, admin_user):
    client.force_login(admin_user)
    response = client.post(reverse("admin:assistance_insuredperson_change", args=[person.pk]),
                           {"is_deceased": "on", "died_on": "1900-01-01"})
    assert response.status_code == 200 and "死亡日期不能早于出生日期" in response.content.decode()
    person.refresh_from_db()
    assert not person.is_deceased


def test_two_household_members_with_the_same_id_number_are_refused():
    resident_id = make_resident_id(21)
    checked, problems = household_rows_checked([
        {"name": "张三", "relation": "本人", "resident_id": resident_id},
        {"name": "李四", "relation": "子女", "resident_id": make_resident_id(22)},
        {"name": "张三", "relation": "子女", "resident_id": resident_id.lower()},  # the same number, written otherwise
    ], own_resident_id=resident_id)
    assert problems == ["第 3 位家庭成员：身份证号码与第 1 位家庭成员相同，同一人只能填写一次"]
    assert [row["number"] for row in checked] == [1, 2]


def test_household_members_without_id_numbers_are_not_duplicates_of_each_other():
    _checked, problems = household_rows_checked([{"name": "王五", "relation": "本人"}, {"name": "张三", "relation": "子女"},
                                                 {"name": "张四", "relation": "子女"}], own_resident_id=make_resident_id(21))
    assert problems == []
