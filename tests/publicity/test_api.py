"""The staff API of objections: lists scoped to the caller's area and masked, another area's
objection a 404, writes only through the services (permissions, areas, states and the original
decider checked there), refusals in Chinese."""
import datetime as dt

import pytest
from django.urls import reverse

from assistance.models import Objection, Publicity, ReviewCase

from .helpers import entry_of, yesterday

pytestmark = pytest.mark.django_db
LIST = "api-objections"


def logged_in(client, user):
    client.force_login(user)
    return client


def move(client, objection, name, **body):
    return client.post(reverse("api-objection-move", args=[objection.pk, name]), body,
                       content_type="application/json")


def record_body(target, **changes) -> dict:
    return {"publicity": target.pk, "line": 1, "channel": "phone", "received_on": yesterday().isoformat(),
            "content": "来电反映该户有经营收入", **changes}


def test_the_town_officer_lists_and_reads_the_objection(client, objection, cab_town):
    rows = logged_in(client, cab_town).get(reverse(LIST)).json()["results"]
    assert [(row["number"], row["line"], row["state"], row["overdue"]) for row in rows] == [
        (objection.number, 1, "received", False)]
    row = rows[0]
    assert (row["objector_name"], row["contact"], row["content"]) == ("王*明", "138****5678", "该户家中有经营性车辆，收入较高")
    assert "lookup_code" not in row and "王小明" not in str(rows) and "13812345678" not in str(rows)
    detail = client.get(reverse("api-objection", args=[objection.pk])).json()
    assert detail["number"] == objection.number and detail["shown_name"] == entry_of(objection.entry.item.application).shown_name


def test_finance_reads_the_state_but_not_what_the_objection_says(client, objection, finance):
    row = logged_in(client, finance).get(reverse(LIST)).json()["results"][0]
    assert row["state"] == "received"
    assert not {"objector_name", "contact", "content", "investigation"} & set(row)


@pytest.mark.parametrize("persona", ["other_town", "other_village", "cab_village"])
def test_another_areas_officer_neither_sees_nor_acts(client, objection, persona, request):
    outsider = logged_in(client, request.getfixturevalue(persona))
    assert outsider.get(reverse(LIST)).json()["results"] == []
    missing = outsider.get(reverse("api-objection", args=[objection.pk]))
    assert missing.status_code == 404 and missing.json() == {"detail": "没有找到该记录"}
    assert move(outsider, objection, "investigate", investigation="越界核查的记录").status_code == 404
    assert move(outsider, objection, "decide", upheld=True, reason="越界办结的理由").status_code == 404
    assert Objection.objects.get().state == Objection.State.RECEIVED


@pytest.mark.parametrize("persona", ["msb", "clerk"])
def test_roles_that_do_not_view_objections_are_refused(client, objection, persona, request):
    user = logged_in(client, request.getfixturevalue(persona))
    assert user.get(reverse(LIST)).status_code == 403
    assert move(user, objection, "decide", upheld=True, reason="无权办结的理由").status_code == 403


def test_anonymous_callers_are_refused(client, objection):
    assert client.get(reverse(LIST)).status_code in (401, 403)
    assert client.post(reverse(LIST), {}, content_type="application/json").status_code in (401, 403)


def test_investigate_then_decide(client, objection, cab_town, signed, finance_a):
    from assistance.payouts.services import payout_batch_create

    api = logged_in(client, cab_town)
    response = move(api, objection, "investigate", investigation="已入户核查，车辆属亲属", visited_on=yesterday().isoformat())
    assert response.status_code == 200 and response.json()["state"] == "investigating"
    response = move(api, objection, "decide", upheld=False, reason="车辆登记在已分户的儿子名下")
    assert response.status_code == 200 and response.json()["state"] == "dismissed"
    assert response.json()["decision_reason"] == "车辆登记在已分户的儿子名下"
    assert payout_batch_create(resolution=signed[0], acting_user=finance_a).payouts.count() == 2


@pytest.mark.parametrize("persona", ["finance", "secretary", "auditor"])
def test_readers_cannot_investigate_or_decide(client, objection, persona, request):
    api = logged_in(client, request.getfixturevalue(persona))
    refused = move(api, objection, "investigate", investigation="不应被记录的核查")
    assert refused.status_code == 403 and "登记异议核查情况" in refused.json()["detail"]
    refused = move(api, objection, "decide", upheld=True, reason="不应被记录的理由")
    assert refused.status_code == 403 and "办结公示异议" in refused.json()["detail"]
    assert Objection.objects.get().state == Objection.State.RECEIVED


def test_the_original_decider_cannot_decide_through_the_api(client, objection, cab_city):
    ReviewCase.objects.filter(applications=objection.entry.item.application).update(determined_by=cab_city)
    refused = move(logged_in(client, cab_city), objection, "decide", upheld=True, reason="由原认定人办结")
    assert refused.status_code == 403 and "您参与了该户原决定" in refused.json()["detail"]


@pytest.mark.parametrize(("body", "field", "message"), [
    ({"reason": "理由充分的说明"}, "upheld", "请说明异议是否成立"),
    ({"upheld": True, "reason": ""}, "处理结果及理由", "请填写处理结果及理由"),
    ({"upheld": "maybe", "reason": "理由充分的说明"}, "upheld", ""),
])
def test_a_bad_decision_is_a_chinese_400(client, objection, cab_town, body, field, message):
    refused = move(logged_in(client, cab_town), objection, "decide", **body)
    assert refused.status_code == 400 and field in refused.json()
    assert message in str(refused.json())
    assert Objection.objects.get().state == Objection.State.RECEIVED


def test_an_unknown_move_is_a_404(client, objection, cab_town):
    assert move(logged_in(client, cab_town), objection, "reopen").status_code == 404


def test_filters_by_state_and_overdue(client, objection, cab_town, today):
    api = logged_in(client, cab_town)
    assert api.get(reverse(LIST), {"state": "upheld"}).json()["results"] == []
    assert api.get(reverse(LIST), {"overdue": "true"}).json()["results"] == []
    Objection.objects.filter(pk=objection.pk).update(received_on=today - dt.timedelta(days=40),
                                                     due_on=today - dt.timedelta(days=1))
    rows = api.get(reverse(LIST), {"overdue": "true"}).json()["results"]
    assert [row["overdue"] for row in rows] == [True]
    refused = api.get(reverse(LIST), {"state": "lost"})
    assert refused.status_code == 400 and "异议状态应为以下之一" in str(refused.json())


# ----------------------------------------------------------------------------------- recording

def test_the_clerk_records_by_publicity_and_line_and_is_told_the_code_once(client, signed, clerk):
    publicity = Publicity.objects.get(resolution=signed[0])
    response = logged_in(client, clerk).post(reverse(LIST), record_body(publicity, line=2, objector_name="张三"),
                                             content_type="application/json")
    assert response.status_code == 201, response.json()
    objection = Objection.objects.get()
    assert response.json()["lookup_code"] == objection.lookup_code and response.json()["number"] == objection.number
    assert (objection.entry, objection.channel, objection.recorded_by) == (entry_of(signed[2]), "phone", clerk)


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"line": 9}, "line", "没有该公示的第 9 号"),
    ({"publicity": 999999}, "line", "没有该公示"),
    ({"channel": "online"}, "channel", "请选择电话、信函或来访"),
    ({"content": ""}, "异议内容", "请填写异议内容"),
    ({"content": "情" * 501}, "content", ""),
    ({"received_on": "2099-01-01"}, "received_on", ""),
    ({"received_on": "not a date"}, "received_on", ""),
    ({"contact": "1" * 51}, "contact", ""),
])
def test_bad_record_input_is_a_chinese_400_and_nothing_is_written(client, signed, clerk, changes, field, message):
    publicity = Publicity.objects.get(resolution=signed[0])
    refused = logged_in(client, clerk).post(reverse(LIST), record_body(publicity, **changes),
                                            content_type="application/json")
    assert refused.status_code == 400 and field in refused.json(), refused.json()
    assert message in str(refused.json())
    assert not Objection.objects.exists()


def test_recording_outside_the_period_is_refused(client, signed, clerk):
    publicity = Publicity.objects.get(resolution=signed[0])
    refused = logged_in(client, clerk).post(
        reverse(LIST), record_body(publicity, received_on=(publicity.starts_on - dt.timedelta(days=1)).isoformat()),
        content_type="application/json")
    assert refused.status_code == 400 and "收到日期不在其中" in str(refused.json())


@pytest.mark.parametrize("persona", ["msb", "finance", "auditor", "secretary"])
def test_roles_that_may_not_record_are_refused(client, signed, persona, request):
    publicity = Publicity.objects.get(resolution=signed[0])
    refused = logged_in(client, request.getfixturevalue(persona)).post(
        reverse(LIST), record_body(publicity), content_type="application/json")
    assert refused.status_code == 403
    assert not Objection.objects.exists()


def test_another_areas_officer_cannot_record_against_an_entry_outside_it(client, signed, other_town):
    publicity = Publicity.objects.get(resolution=signed[0])
    refused = logged_in(client, other_town).post(reverse(LIST), record_body(publicity),
                                                 content_type="application/json")
    assert refused.status_code == 403 and "不在您的辖区内" in refused.json()["detail"]
    assert not Objection.objects.exists()
