"""The review-case API holds every field to its column's limits: a Chinese 400, nothing written."""
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from assistance.models import HouseholdMember, ReviewCase
from assistance.review.services import review_case_assign, review_case_dispatch

pytestmark = pytest.mark.django_db
CHINESE = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def at_village(shared_run, cab_city, cab_town):
    case = ReviewCase.objects.filter(region__name="韩田村").order_by("id").first()
    case = review_case_dispatch(case=case, acting_user=cab_city)
    return review_case_assign(case=case, acting_user=cab_town, village=None)


def _verify(client, case, **changes):
    body = {"visited_on": timezone.localdate().isoformat(), "household_income": "100",
            "household": [{"name": "张三", "relation": "本人"}], **changes}
    return client.post(reverse("api-review-case-move", args=[case.pk, "verify"]), body,
                       content_type="application/json")


@pytest.mark.parametrize("changes, field", [
    ({"notes": "情" * 5001}, "notes"),
    ({"assets": "产" * 5001}, "assets"),
    ({"household_income": "1" * 15}, "household_income"),
    ({"household": [{"name": "张" * 51, "relation": "本人"}]}, "name"),
    ({"household": [{"name": "张三", "relation": "本人", "annual_income": "9" * 13}]}, "annual_income"),
    ({"household": [{"name": f"成员{n}", "relation": "子女"} for n in range(51)]}, "household"),
])
def test_verify_refuses_over_long_text_huge_lists_and_overflowing_amounts_in_chinese(
        client, at_village, cab_village, changes, field):
    client.force_login(cab_village)
    response = _verify(client, at_village, **changes)
    assert response.status_code == 400, response.content[:300]
    assert field in response.content.decode() and CHINESE.search(response.content.decode())
    at_village.refresh_from_db()
    assert at_village.state == ReviewCase.State.AT_VILLAGE and not HouseholdMember.objects.exists()


def test_determine_refuses_an_over_long_reason(client, at_village, cab_village, cab_city_colleague):
    client.force_login(cab_village)
    assert _verify(client, at_village).status_code == 200
    client.force_login(cab_city_colleague)
    response = client.post(reverse("api-review-case-move", args=[at_village.pk, "determine"]),
                           {"eligible": False, "reason": "因" * 5001}, content_type="application/json")
    assert response.status_code == 400 and "5000" in str(response.json()["reason"])
    assert ReviewCase.objects.get(pk=at_village.pk).state == ReviewCase.State.VERIFIED


def test_a_verification_within_the_limits_is_recorded(client, at_village, cab_village):
    client.force_login(cab_village)
    response = _verify(client, at_village, notes="情" * 5000,
                       household=[{"name": "张" * 50, "relation": "本人", "annual_income": "999999999999.99"}])
    assert response.status_code == 200, response.content[:300]
    assert HouseholdMember.objects.get().name == "张" * 50


def test_an_officer_of_another_village_is_refused_whatever_the_input(client, at_village, other_village):
    client.force_login(other_village)
    assert _verify(client, at_village, notes="情" * 10_000).status_code == 404
    assert not HouseholdMember.objects.exists()


def test_an_out_of_range_id_in_the_address_is_a_404(client, cab_city):
    client.force_login(cab_city)
    huge = 10**30
    assert client.post(reverse("api-review-case-move", args=[huge, "dispatch"])).status_code == 404
    assert client.get(reverse("api-review-case", args=[huge])).status_code == 404


@pytest.mark.parametrize("visited_on", ["1900-01-01", "2019-12-31"])
def test_a_home_visit_before_the_fund_existed_is_refused_in_chinese(client, at_village, cab_village, visited_on):
    client.force_login(cab_village)
    response = _verify(client, at_village, visited_on=visited_on)
    assert response.status_code == 400 and "不在合理范围内" in str(response.json()["visited_on"])
    assert ReviewCase.objects.get(pk=at_village.pk).state == ReviewCase.State.AT_VILLAGE


def test_the_verify_service_refuses_a_visit_in_1900_whatever_door_it_came_through(at_village, cab_village):
    import datetime as dt

    from django.core.exceptions import ValidationError

    from assistance.review.services import review_case_verify

    with pytest.raises(ValidationError) as refused:
        review_case_verify(case=at_village, acting_user=cab_village, household_income=0,
                           household=[{"name": at_village.person.name, "relation": "本人"}],
                           visited_on=dt.date(1900, 1, 1))
    assert "入户核查日期“1900-01-01”不在合理范围内" in str(refused.value.message_dict["visited_on"])


def test_an_out_of_range_region_in_the_body_is_a_chinese_400(client, shared_run, cab_city, cab_town):
    case = ReviewCase.objects.filter(region__name="塘下镇").first()
    client.force_login(cab_city)
    client.post(reverse("api-review-case-move", args=[case.pk, "dispatch"]))
    client.force_login(cab_town)
    response = client.post(reverse("api-review-case-move", args=[case.pk, "assign"]), {"village": 10**30},
                           content_type="application/json")
    assert response.status_code == 400 and CHINESE.search(str(response.json()["village"]))
    assert ReviewCase.objects.get(pk=case.pk).state == ReviewCase.State.AT_TOWN
