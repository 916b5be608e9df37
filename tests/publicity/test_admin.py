"""公示 and objections in the admin: lists scoped to the officer's area with names and contacts
masked, the objection's page offering each form only to whoever may submit it, the forms going
through the services, a page to record an objection received by phone, letter or visit, and the
resolution's page showing its 公示 and what it holds back."""
import datetime as dt

import pytest
from django.urls import reverse
from django.utils.formats import date_format

from assistance.models import Objection, Publicity, ReviewCase

from .helpers import entry_of, yesterday

pytestmark = pytest.mark.django_db
CHANGELIST = "admin:assistance_objection_changelist"


def page(client, user, url, status=200) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode()


def change_url(objection) -> str:
    return reverse("admin:assistance_objection_change", args=[objection.pk])


# ------------------------------------------------------------------------------------- the list

def test_the_list_shows_the_areas_objections_with_the_objector_masked(client, objection, cab_town):
    listed = page(client, cab_town, reverse(CHANGELIST))
    assert objection.number in listed and "第1号" in listed and "塘下镇" in listed
    assert "王*明" in listed and "138****5678" in listed
    assert "王小明" not in listed and "13812345678" not in listed
    assert "该户家中有经营性车辆" not in listed  # what it says: on its page only


def test_an_overdue_objection_is_marked_and_filtered(client, objection, cab_town, today):
    Objection.objects.filter(pk=objection.pk).update(received_on=today - dt.timedelta(days=40),
                                                     due_on=today - dt.timedelta(days=2))
    listed = page(client, cab_town, reverse(CHANGELIST))
    assert 'class="overdue"' in listed and "（已逾期）" in listed
    assert objection.number in page(client, cab_town, reverse(CHANGELIST) + "?overdue=yes")
    assert objection.number not in page(client, cab_town, reverse(CHANGELIST) + "?overdue=soon")
    Objection.objects.filter(pk=objection.pk).update(due_on=today + dt.timedelta(days=2))
    assert 'class="overdue"' not in page(client, cab_town, reverse(CHANGELIST))
    assert objection.number in page(client, cab_town, reverse(CHANGELIST) + "?overdue=soon")


@pytest.mark.parametrize("persona", ["other_town", "other_village", "cab_village"])
def test_an_officer_of_another_area_finds_nothing(client, objection, persona, request):
    outsider = request.getfixturevalue(persona)
    assert objection.number not in page(client, outsider, reverse(CHANGELIST))
    page(client, outsider, change_url(objection), status=404)
    for move in ("investigate", "decide"):
        page(client, outsider, reverse(f"admin:assistance_objection_{move}", args=[objection.pk]), status=404)
        response = client.post(reverse(f"admin:assistance_objection_{move}", args=[objection.pk]),
                               {"investigation": "越界核查", "upheld": "upheld", "reason": "越界办结的理由"})
        assert response.status_code == 404
    assert Objection.objects.get().state == Objection.State.RECEIVED


@pytest.mark.parametrize("persona", ["msb", "clerk"])
def test_roles_that_do_not_view_objections_get_no_list(client, objection, persona, request):
    page(client, request.getfixturevalue(persona), reverse(CHANGELIST), status=403)
    page(client, request.getfixturevalue(persona), change_url(objection), status=404)


# --------------------------------------------------------------------------- the objection's page

def test_the_town_officer_sees_the_objection_and_both_forms(client, objection, cab_town):
    shown = page(client, cab_town, change_url(objection))
    assert "王小明" in shown and "13812345678" in shown and "该户家中有经营性车辆" in shown
    assert 'id="investigate"' in shown and 'id="decide"' in shown
    assert "有公示异议正在核查" in shown  # what holds the payment


def test_the_village_officer_may_investigate_but_not_decide(client, regions, clerk, scheme, finance_a, secretary):
    from assistance.council.services import resolution_draft_payouts, resolution_sign
    from assistance.publicity.services import objection_record
    from fundportal.roles import Role
    from tests.fixtures.council import fund, meeting_with_quorum, publicity_end, ready_application
    from tests.fixtures.personas import make_user

    hantian = make_user("cab_hantian", Role.CAB_VILLAGE, region=regions["hantian"])
    fund("50000", finance_a)
    application = ready_application(clerk, regions["hantian"], out_of_pocket="20000")
    resolution = resolution_sign(resolution=resolution_draft_payouts(
        meeting=meeting_with_quorum(secretary), scheme=scheme, acting_user=secretary), acting_user=secretary)
    publicity_end(resolution)
    objection = objection_record(entry=entry_of(application), channel="visit", content="该户儿子在外地有房产",
                                 received_on=yesterday(), acting_user=clerk)
    shown = page(client, hantian, change_url(objection))
    assert 'id="investigate"' in shown and 'id="decide"' not in shown
    page(client, hantian, reverse("admin:assistance_objection_decide", args=[objection.pk]), status=403)


@pytest.mark.parametrize("persona", ["finance", "secretary", "auditor"])
def test_readers_get_no_form(client, objection, persona, request):
    shown = page(client, request.getfixturevalue(persona), change_url(objection))
    assert 'id="investigate"' not in shown and 'id="decide"' not in shown
    assert objection.number in shown


@pytest.mark.parametrize("persona", ["finance", "secretary"])
def test_finance_and_the_secretary_do_not_read_the_objector_or_the_content(client, objection, persona, request):
    shown = page(client, request.getfixturevalue(persona), change_url(objection))
    assert "王小明" not in shown and "13812345678" not in shown and "该户家中有经营性车辆" not in shown
    assert "有公示异议正在核查" in shown


def test_the_original_decider_is_told_why_there_is_no_decide_form(client, objection, cab_city):
    ReviewCase.objects.filter(applications=objection.entry.item.application).update(determined_by=cab_city)
    shown = page(client, cab_city, change_url(objection))
    assert 'id="decide"' not in shown and 'id="no-decide"' in shown and "您参与了该户原决定" in shown
    assert 'id="investigate"' in shown
    client.post(reverse("admin:assistance_objection_decide", args=[objection.pk]),
                {"upheld": "upheld", "reason": "越权办结的理由"})
    assert Objection.objects.get().state == Objection.State.RECEIVED


def test_investigating_and_deciding_through_the_forms(client, objection, cab_town, finance_a, signed):
    client.force_login(cab_town)
    response = client.post(reverse("admin:assistance_objection_investigate", args=[objection.pk]),
                           {"investigation": "已入户核查，车辆登记在其子名下", "visited_on": yesterday().isoformat()})
    assert response.status_code == 302 and response["Location"] == change_url(objection)
    objection.refresh_from_db()
    assert (objection.state, objection.investigated_by) == (Objection.State.INVESTIGATING, cab_town)
    shown = page(client, cab_town, change_url(objection))
    assert 'id="investigate"' not in shown and 'id="decide"' in shown  # the finding is recorded once
    response = client.post(reverse("admin:assistance_objection_decide", args=[objection.pk]),
                           {"upheld": "upheld", "reason": "该户实际经营货运，收入超过标准"})
    assert response.status_code == 302
    objection.refresh_from_db()
    assert (objection.state, objection.decision_reason) == (Objection.State.UPHELD, "该户实际经营货运，收入超过标准")
    assert "公示异议成立，停止发放" in page(client, cab_town, change_url(objection))


def test_a_refused_form_shows_the_services_message_and_writes_nothing(client, objection, cab_town):
    client.force_login(cab_town)
    response = client.post(reverse("admin:assistance_objection_decide", args=[objection.pk]),
                           {"upheld": "dismissed", "reason": "   短  "})
    assert response.status_code == 200 and "至少 5 个字" in response.content.decode()
    assert response["Cache-Control"].startswith("no-store") or "no-store" in response["Cache-Control"]
    assert Objection.objects.get().state == Objection.State.RECEIVED


# ------------------------------------------------------------------------------ recording one

def _record_form(publicity, **changes) -> dict:
    return {"publicity": publicity.pk, "line": 1, "channel": "letter", "received_on": yesterday().isoformat(),
            "content": "来信反映该户家庭经济条件较好", "objector_name": "", "contact": "", **changes}


def test_the_clerk_records_a_letter_and_reads_the_slip_once(client, signed, clerk):
    resolution, first, _second = signed
    publicity = Publicity.objects.get(resolution=resolution)
    shown = page(client, clerk, reverse("admin:assistance_objection_add"))
    assert str(publicity.resolution.number) in shown and 'id="record"' in shown
    response = client.post(reverse("admin:assistance_objection_add"), _record_form(publicity))
    assert response.status_code == 302 and response["Location"] == reverse("admin:assistance_objection_recorded")
    objection = Objection.objects.get()
    assert (objection.entry, objection.channel, objection.recorded_by) == (entry_of(first), "letter", clerk)
    slip = client.get(response["Location"])
    assert slip["Cache-Control"] and "no-store" in slip["Cache-Control"]
    assert objection.number in slip.content.decode() and objection.lookup_code in slip.content.decode()
    assert objection.lookup_code not in response["Location"]
    assert client.get(response["Location"]).status_code == 404  # shown once


def test_the_town_officer_records_a_visit_in_their_area(client, signed, cab_town):
    publicity = Publicity.objects.get(resolution=signed[0])
    client.force_login(cab_town)
    response = client.post(reverse("admin:assistance_objection_add"),
                           _record_form(publicity, channel="visit", line=2, objector_name="李大", contact="塘下镇某村"))
    assert response.status_code == 302
    objection = Objection.objects.get()
    assert objection.entry == entry_of(signed[2]) and objection.objector_name == "李大"
    assert reverse("admin:assistance_objection_change", args=[objection.pk]) in client.get(
        response["Location"]).content.decode()


@pytest.mark.parametrize(("changes", "message"), [
    ({"line": 3}, "该公示没有第 3 号"),
    ({"content": ""}, "该字段是必填项"),
    ({"channel": "online"}, "选择一个有效的选项"),
    ({"received_on": "2099-01-01"}, "收到日期不能晚于今天"),
    ({"content": "有车"}, "至少 5 个字"),
])
def test_a_bad_record_form_is_answered_on_the_form(client, signed, clerk, changes, message):
    publicity = Publicity.objects.get(resolution=signed[0])
    client.force_login(clerk)
    response = client.post(reverse("admin:assistance_objection_add"), _record_form(publicity, **changes))
    assert response.status_code == 200 and message in response.content.decode()
    assert not Objection.objects.exists()


@pytest.mark.parametrize("persona", ["msb", "finance", "auditor", "secretary"])
def test_roles_that_may_not_record_get_no_record_page(client, signed, persona, request):
    publicity = Publicity.objects.get(resolution=signed[0])
    user = request.getfixturevalue(persona)
    page(client, user, reverse("admin:assistance_objection_add"), status=403)
    assert client.post(reverse("admin:assistance_objection_add"), _record_form(publicity)).status_code == 403
    assert not Objection.objects.exists()


def test_other_town_recording_outside_its_area_is_refused(client, signed, other_town):
    publicity = Publicity.objects.get(resolution=signed[0])
    client.force_login(other_town)
    assert client.post(reverse("admin:assistance_objection_add"), _record_form(publicity)).status_code == 403
    assert not Objection.objects.exists()


# ------------------------------------------------------------------------ 公示 and resolution pages

def test_the_publicity_page_shows_period_entries_counts_and_holds(client, signed, objection, finance, today):
    publicity = Publicity.objects.get(resolution=signed[0])
    listed = page(client, finance, reverse("admin:assistance_publicity_changelist"))
    assert signed[0].number in listed
    shown = page(client, finance, reverse("admin:assistance_publicity_change", args=[publicity.pk]))
    assert date_format(publicity.ends_on) in shown and date_format(publicity.payable_from) in shown
    assert f"/publicity/{signed[0].pk}/" in shown
    assert "收到 1 件：成立 0 件，不成立 0 件，办理中 1 件" in shown
    assert objection.number in shown and "有公示异议正在核查，办结前暂缓发放" in shown
    assert entry_of(signed[1]).shown_name in shown and signed[1].person.name not in shown


def test_the_publicity_cannot_be_changed_in_the_admin(client, signed, administrator):
    publicity = Publicity.objects.get(resolution=signed[0])
    client.force_login(administrator)
    url = reverse("admin:assistance_publicity_change", args=[publicity.pk])
    client.post(url, {"starts_on": "2020-01-01", "ends_on": "2020-01-07", "days": 7})
    assert Publicity.objects.get().ends_on == publicity.ends_on
    assert client.get(reverse("admin:assistance_publicity_add")).status_code == 403


def test_the_resolution_page_shows_its_publicity_and_the_held_entry(client, signed, objection, finance_a):
    resolution, first, _second = signed
    shown = page(client, finance_a, reverse("admin:assistance_resolution_change", args=[resolution.pk]))
    publicity = Publicity.objects.get(resolution=resolution)
    assert 'id="publicity"' in shown and publicity.payable_from.isoformat() in shown
    assert first.number in shown and "有公示异议正在核查，办结前暂缓发放" in shown and objection.number in shown


def test_the_resolution_page_says_when_the_period_ends(client, publicity_running, finance_a, today):
    shown = page(client, finance_a, reverse("admin:assistance_resolution_change", args=[publicity_running[0].pk]))
    assert "公示期内，暂不能发放" in shown and (today + dt.timedelta(days=7)).isoformat() in shown
    assert 'id="make-batch"' not in shown and "期满后方可发放" in shown


def test_the_objection_list_costs_the_same_queries_for_one_row_or_many(client, signed, objection, clerk, cab_town,
                                                                        django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(cab_town)
    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse(CHANGELIST)).status_code == 200
    from assistance.publicity.services import objection_record
    for content in ("来信反映该户有房产出租", "来访反映该户子女收入较高", "电话反映该户有商铺"):
        objection_record(entry=entry_of(signed[2]), channel="visit", content=content, received_on=yesterday(),
                         acting_user=clerk)
    with django_assert_max_num_queries(len(one)):
        assert client.get(reverse(CHANGELIST)).status_code == 200


def test_the_cases_decider_is_told_why_instead_of_shown_a_form_that_would_fail(client, objection, cab_city):
    """Opening the decide page of an objection against one's own decision says why on the
    objection's page (the form's text would otherwise be typed in vain)."""
    ReviewCase.objects.filter(applications=objection.entry.item.application).update(determined_by=cab_city)
    client.force_login(cab_city)
    response = client.get(reverse("admin:assistance_objection_decide", args=[objection.pk]), follow=True)
    assert response.redirect_chain and "不能办结针对它的异议" in response.content.decode()
    assert 'name="reason"' not in response.content.decode()
