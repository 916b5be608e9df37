"""Staff see the appeals they handle (admin and API alike, through appeals_for_user), overdue ones
marked; the decide form is shown only to who may decide that kind; the API records and decides
through the same services."""
import datetime as dt

import pytest
from django.urls import reverse

from assistance.appeals.selectors import appeals_for_user, appeals_overdue
from assistance.appeals.services import appeal_file, appeal_submit_online
from assistance.models import Appeal, Application, ReviewCase
from fundportal.masking import mask_name

from .conftest import GROUNDS

pytestmark = pytest.mark.django_db


@pytest.fixture
def both(refused_app, approved_apps, clerk):
    """An eligibility appeal (韩田村, recorded by clerk) and an amount appeal (塘下镇, online)."""
    return (appeal_file(application=refused_app, grounds=GROUNDS, acting_user=clerk),
            appeal_submit_online(application=approved_apps[1], grounds=GROUNDS))


def test_each_role_sees_the_appeals_it_handles(both, auditor, cab_city, cab_town, other_town, secretary_b, clerk,
                                               msb, finance):
    eligibility, amount = both
    seen = {name: set(appeals_for_user(user=user)) for name, user in [
        ("auditor", auditor), ("cab_city", cab_city), ("cab_town", cab_town), ("other_town", other_town),
        ("secretary", secretary_b), ("clerk", clerk), ("msb", msb), ("finance", finance)]}
    assert seen == {"auditor": {eligibility, amount}, "cab_city": {eligibility}, "cab_town": {eligibility},
                    "other_town": set(), "secretary": {amount}, "clerk": {eligibility, amount}, "msb": set(),
                    "finance": set()}


def test_overdue_appeals_are_those_open_past_their_deadline(both):
    eligibility, amount = both
    Appeal.objects.filter(pk=eligibility.pk).update(due_on=dt.date.today() - dt.timedelta(days=1))
    assert list(appeals_overdue(Appeal.objects.all())) == [eligibility]


def test_the_admin_list_marks_overdue_appeals_and_masks_names(client, both, cab_city_colleague):
    eligibility, _amount = both
    Appeal.objects.filter(pk=eligibility.pk).update(due_on=dt.date(2026, 1, 5))
    client.force_login(cab_city_colleague)
    page = client.get(reverse("admin:assistance_appeal_changelist"))
    text = page.content.decode()
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    assert eligibility.number in text and "已逾期" in text and "周*梅" in text and "周小梅" not in text
    assert client.get(reverse("admin:assistance_appeal_changelist") + "?overdue=yes").status_code == 200


def test_the_decide_form_is_shown_only_to_who_may_decide(client, both, cab_city, cab_city_colleague, cab_town):
    eligibility, amount = both
    url = reverse("admin:assistance_appeal_change", args=[eligibility.pk])
    client.force_login(cab_city_colleague)
    assert 'id="appeal-decide"' in client.get(url).content.decode()
    client.force_login(cab_town)  # sees it, may not decide it
    page = client.get(url)
    assert page.status_code == 200 and 'id="appeal-decide"' not in page.content.decode()
    client.force_login(cab_city_colleague)
    assert client.get(reverse("admin:assistance_appeal_change", args=[amount.pk])).status_code == 404


def test_deciding_from_the_admin_page_reopens_the_case(client, both, cab_city_colleague, cab_city):
    eligibility, _amount = both
    decide = reverse("admin:assistance_appeal_decide", args=[eligibility.pk])
    client.force_login(cab_city)  # decided the refusal: the service refuses, the page says why
    response = client.post(decide, {"reopen": "reopen", "reason": "撤销原认定，重新入户核查"}, follow=True)
    assert "原决定（资格认定）由您作出" in response.content.decode()
    client.force_login(cab_city_colleague)
    response = client.post(decide, {"reopen": "reopen", "reason": "太短"}, follow=True)
    assert "至少 5 个字" in response.content.decode()
    response = client.post(decide, {"reopen": "reopen", "reason": "撤销原认定，重新入户核查"})
    assert response.status_code == 302
    eligibility.refresh_from_db()
    assert eligibility.state == Appeal.State.REOPENED
    assert ReviewCase.objects.get(pk=eligibility.review_case_id).state == ReviewCase.State.RETURNED
    assert client.get(decide).status_code == 405


def test_the_api_lists_files_and_decides_through_the_services(client, refused_app, approved_apps, clerk, secretary_b,
                                                              secretary, finance):
    client.force_login(clerk)
    response = client.post(reverse("api-appeals"), {"application": approved_apps[1].number, "grounds": GROUNDS},
                           content_type="application/json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["kind"], body["state"], body["name"], body["overdue"]) == (
        "amount", "received", mask_name(approved_apps[1].person.name), False)
    again = client.post(reverse("api-appeals"), {"application": approved_apps[1].number, "grounds": GROUNDS},
                        content_type="application/json")
    assert again.status_code == 400 and "不能重复提出" in again.json()["detail"][0]
    missing = client.post(reverse("api-appeals"), {"application": "SQ000", "grounds": GROUNDS},
                          content_type="application/json")
    assert missing.status_code == 400 and "没有这个申请编号" in missing.json()["application"][0]

    decide = reverse("api-appeal-decide", args=[body["id"]])
    client.force_login(finance)
    assert client.post(decide, {"reopen": True, "reason": "退回重新测算"}, content_type="application/json"
                       ).status_code == 403
    client.force_login(secretary)  # signed the resolution
    response = client.post(decide, {"reopen": True, "reason": "退回重新测算"}, content_type="application/json")
    assert response.status_code == 403 and "原决定（签署决议）由您作出" in response.json()["detail"]
    client.force_login(secretary_b)
    assert client.get(reverse("api-appeals")).json()["results"][0]["number"] == body["number"]
    assert client.get(reverse("api-appeals") + "?kind=eligibility").json()["results"] == []
    assert client.get(reverse("api-appeals") + "?state=nonsense").status_code == 400
    response = client.post(decide, {"reopen": "maybe", "reason": "退回重新测算"}, content_type="application/json")
    assert response.status_code == 400
    response = client.post(decide, {"reopen": True, "reason": "退回重新测算金额"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["state"] == "reopened"
    approved_apps[1].refresh_from_db()
    assert approved_apps[1].state == Application.State.READY


@pytest.mark.parametrize("persona", ["cab_city", "secretary", "finance", "msb"])
def test_only_clerks_file_through_the_api(client, request, refused_app, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.post(reverse("api-appeals"), {"application": refused_app.number, "grounds": GROUNDS},
                           content_type="application/json")
    assert response.status_code == 403
    assert not Appeal.objects.exists()


def test_an_appeal_outside_the_callers_sight_is_a_404(client, both, other_town):
    eligibility, _amount = both
    client.force_login(other_town)
    assert client.get(reverse("api-appeal", args=[eligibility.pk])).status_code == 404
    assert client.post(reverse("api-appeal-decide", args=[eligibility.pk]), {"reopen": False, "reason": "维持原认定"},
                       content_type="application/json").status_code == 404


def test_the_original_decider_is_not_offered_the_decide_form(refused_app, cab_city, clerk):
    """cab_city found the family not eligible: its review is someone else's to decide."""
    from assistance.appeals.selectors import appeal_may_decide
    from assistance.appeals.services import appeal_file

    appeal = appeal_file(application=refused_app, grounds="家庭成员已分户，认定时按原户籍计算了收入", acting_user=clerk)
    assert appeal.review_case.determined_by == cab_city
    assert not appeal_may_decide(cab_city, appeal)
