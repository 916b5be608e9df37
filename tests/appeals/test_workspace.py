"""The clerk's 复核 page in the workspace: find the application by its number, see why a review
cannot be asked for now or record the grounds, print the acknowledgement; and the refusal of a
second application after a refusal points to it."""
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from assistance.applications.services import application_submit
from assistance.models import Appeal

from .conftest import GROUNDS

pytestmark = pytest.mark.django_db
NEW = "/workspace/appeals/new/"


def lookup(client, number):
    return client.post(NEW, {"step": "lookup", "number": number})


def test_a_clerk_finds_the_refused_application_and_records_the_request(client, clerk, refused_app):
    assert reverse("workspace_appeals:new") == NEW
    client.force_login(clerk)
    page = client.get(NEW)
    assert page.status_code == 200 and "查找原申请" in page.content.decode()
    page = lookup(client, f" {refused_app.number.lower()} ")
    text = page.content.decode()
    assert page.status_code == 200 and page["Cache-Control"] == "no-store"
    assert "对低收入资格认定申请复核" in text and 'name="grounds"' in text
    assert refused_app.person.name not in text and "周*梅" in text  # masked: any clerk may record it
    assert refused_app.person.resident_id not in text

    response = client.post(NEW, {"step": "file", "number": refused_app.number, "grounds": GROUNDS})
    appeal = Appeal.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/workspace/appeals/{appeal.number}/"
    assert (appeal.recorded_by, appeal.channel, appeal.grounds) == (clerk, Appeal.Channel.CLERK, GROUNDS)
    slip = client.get(response["Location"])
    assert slip.status_code == 200 and appeal.number in slip.content.decode()
    assert appeal.due_on.strftime("%Y-%m-%d") in slip.content.decode()


def test_the_page_says_why_a_review_cannot_be_asked_for_and_offers_no_form(client, clerk, refused_app):
    client.force_login(clerk)
    client.post(NEW, {"step": "file", "number": refused_app.number, "grounds": GROUNDS})
    text = lookup(client, refused_app.number).content.decode()
    assert "现在不能申请复核" in text and "不能重复提出" in text and 'name="grounds"' not in text


def test_an_unknown_number_and_short_grounds_are_answered_on_the_page(client, clerk, refused_app):
    client.force_login(clerk)
    assert "没有这个申请编号" in lookup(client, "SQ202399999").content.decode()
    page = client.post(NEW, {"step": "file", "number": refused_app.number, "grounds": "不服"})
    assert page.status_code == 200 and "复核理由" in page.content.decode() and "至少 5 个字" in page.content.decode()
    assert not Appeal.objects.exists()


@pytest.mark.parametrize("persona", ["cab_city", "secretary", "finance", "msb"])
def test_only_clerks_reach_the_page(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(NEW).status_code == 403


def test_the_refusal_of_a_second_application_points_to_the_review_page(clerk, refused_app):
    with pytest.raises(ValidationError) as caught:
        application_submit(acting_user=clerk, resident_id=refused_app.person.resident_id, name=refused_app.person.name,
                           region=refused_app.region, year=refused_app.year, phone="13812345678", account_holder="周小梅",
                           bank_name="瑞安农商银行", account_number="6228480012345673256",
                           members=[{"name": "周小梅", "relation": "本人"}], extra_costs=[], documents=[])
    message = caught.value.messages[0]
    assert f'<a href="{NEW}">登记复核申请</a>' in message and refused_app.number in message and "60 日内" in message


def test_the_workspace_menu_links_the_page_for_clerks(client, clerk):
    client.force_login(clerk)
    assert f'href="{NEW}"' in client.get("/workspace/").content.decode()
