"""Who may record, investigate and decide an objection, and what input is refused: the officers
of the entry's area handle it; whoever decided the case (its eligibility, or signed the resolution)
may not decide the objection against it; other areas neither see nor act; roles without the
permission are refused; bad input is refused in Chinese and nothing is written."""
import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError

from assistance.models import Objection, Publicity, ReviewCase
from assistance.publicity.selectors import objections_for_user
from assistance.publicity.services import (objection_decide, objection_investigate, objection_record,
                                           objection_submit_online)
from fundportal.roles import Role

from .helpers import entry_of, yesterday

pytestmark = pytest.mark.django_db
REASON = "经入户核查，反映的情况属实"


def with_role(user, role: Role):
    user.groups.add(Group.objects.get(name=role))
    return type(user).objects.get(pk=user.pk)  # Django caches a user's permissions


def record(entry, user, **changes):
    fields = dict(entry=entry, channel="phone", content="该户家中有经营性车辆", received_on=yesterday(),
                  acting_user=user)
    return objection_record(**{**fields, **changes})


# ------------------------------------------------------------------------------ who handles it

def test_the_town_officer_investigates_and_decides(objection, cab_town):
    investigated = objection_investigate(objection=objection, acting_user=cab_town, investigation="已入户核查两次",
                                         visited_on=yesterday())
    assert (investigated.state, investigated.investigated_by, investigated.visited_on) == (
        Objection.State.INVESTIGATING, cab_town, yesterday())
    decided = objection_decide(objection=objection, acting_user=cab_town, upheld=False, reason="反映情况不属实")
    assert decided.state == Objection.State.DISMISSED and decided.decided_at is not None


def test_the_officer_who_determined_eligibility_cannot_decide_the_objection(objection, cab_city, cab_city_colleague):
    ReviewCase.objects.filter(applications=objection.entry.item.application).update(determined_by=cab_city)
    with pytest.raises(PermissionDenied, match="您参与了该户原决定"):
        objection_decide(objection=objection, acting_user=cab_city, upheld=True, reason=REASON)
    objection_investigate(objection=objection, acting_user=cab_city, investigation="补充核查材料已收齐")  # may look
    decided = objection_decide(objection=objection, acting_user=cab_city_colleague, upheld=True, reason=REASON)
    assert decided.decided_by == cab_city_colleague


def test_the_secretary_who_signed_the_resolution_cannot_decide_its_objections(
        regions, clerk, town, scheme, finance_a):
    """A city officer who is also the council's secretary signs the list, then meets an objection to it."""
    from assistance.council.services import resolution_draft_payouts, resolution_sign
    from tests.fixtures.council import fund, meeting_with_quorum, publicity_end, ready_application
    from tests.fixtures.personas import make_user

    both = with_role(make_user("cab_and_secretary", Role.CAB_CITY, region=regions["city"]), Role.COUNCIL_SECRETARY)
    fund("50000", finance_a)
    application = ready_application(clerk, town, out_of_pocket="20000")
    resolution = resolution_sign(resolution=resolution_draft_payouts(
        meeting=meeting_with_quorum(both), scheme=scheme, acting_user=both), acting_user=both)
    publicity_end(resolution)
    objection = record(entry_of(application), clerk)
    with pytest.raises(PermissionDenied, match="签署决议"):
        objection_decide(objection=objection, acting_user=both, upheld=False, reason="反映情况不属实")
    assert Objection.objects.get().state == Objection.State.RECEIVED


# ------------------------------------------------------------------------------- other areas

def test_an_officer_of_another_area_neither_sees_nor_acts(objection, other_town, other_village, cab_village,
                                                         cab_town, cab_city):
    assert list(objections_for_user(user=cab_town)) == [objection]
    assert list(objections_for_user(user=cab_city)) == [objection]
    for outsider in (other_town, other_village, cab_village):  # 韩田村 is in 塘下镇, the entry is not in it
        assert not objections_for_user(user=outsider).exists()
        with pytest.raises(PermissionDenied, match="不在您的辖区内"):
            objection_investigate(objection=objection, acting_user=outsider, investigation="越界核查的记录")
    with pytest.raises(PermissionDenied, match="不在您的辖区内"):
        objection_decide(objection=objection, acting_user=other_town, upheld=True, reason=REASON)
    assert Objection.objects.get().state == Objection.State.RECEIVED


def test_an_officer_of_another_area_cannot_record_against_an_entry_outside_it(signed, other_town):
    _resolution, first, _second = signed
    with pytest.raises(PermissionDenied, match="不在您的辖区内"):
        record(entry_of(first), other_town)
    assert not Objection.objects.exists()


def test_a_village_officer_handles_their_own_villages_entry(regions, clerk, scheme, finance_a, secretary):
    from assistance.council.services import resolution_draft_payouts, resolution_sign
    from tests.fixtures.council import fund, meeting_with_quorum, publicity_end, ready_application
    from tests.fixtures.personas import make_user

    hantian = make_user("cab_hantian", Role.CAB_VILLAGE, region=regions["hantian"])
    fund("50000", finance_a)
    application = ready_application(clerk, regions["hantian"], out_of_pocket="20000")
    resolution = resolution_sign(resolution=resolution_draft_payouts(
        meeting=meeting_with_quorum(secretary), scheme=scheme, acting_user=secretary), acting_user=secretary)
    publicity_end(resolution)
    objection = record(entry_of(application), hantian)
    assert list(objections_for_user(user=hantian)) == [objection]
    objection_investigate(objection=objection, acting_user=hantian, investigation="村委会入户核实")
    with pytest.raises(PermissionDenied, match="办结公示异议"):  # the village investigates; the town decides
        objection_decide(objection=objection, acting_user=hantian, upheld=False, reason="反映情况不属实")


# ------------------------------------------------------------------------------ refused roles

@pytest.mark.parametrize("persona", ["msb", "finance", "auditor", "secretary"])
def test_roles_without_the_permission_cannot_record(signed, persona, request):
    _resolution, first, _second = signed
    with pytest.raises(PermissionDenied, match="登记公示异议"):
        record(entry_of(first), request.getfixturevalue(persona))
    assert not Objection.objects.exists()


@pytest.mark.parametrize("persona", ["msb", "finance", "auditor", "secretary", "clerk"])
def test_roles_without_the_permission_cannot_investigate_or_decide(objection, persona, request):
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied, match="登记异议核查情况"):
        objection_investigate(objection=objection, acting_user=user, investigation="不应被记录的核查")
    with pytest.raises(PermissionDenied, match="办结公示异议"):
        objection_decide(objection=objection, acting_user=user, upheld=True, reason=REASON)
    assert Objection.objects.get().state == Objection.State.RECEIVED


def test_the_clerk_records_city_wide_but_sees_no_objection_list(objection, clerk):
    assert objection.recorded_by == clerk and objection.region.name == "塘下镇"
    assert not objections_for_user(user=clerk).exists()


# --------------------------------------------------------------------------------- bad input

@pytest.mark.parametrize(("changes", "message"), [
    ({"content": ""}, "请填写异议内容"),
    ({"content": "   有车 "}, "至少 5 个字"),
    ({"content": "情" * 501}, "异议内容最多 500 个字，当前 501 个字"),
    ({"objector_name": "王" * 51}, "姓名最多 50 个字"),
    ({"contact": "1" * 51}, "联系方式最多 50 个字"),
    ({"channel": "online"}, "请选择电话、信函或来访"),
    ({"channel": "email"}, "请选择电话、信函或来访"),
])
def test_bad_input_is_refused_in_chinese_and_nothing_is_written(signed, clerk, changes, message):
    _resolution, first, _second = signed
    with pytest.raises(ValidationError, match=message):
        record(entry_of(first), clerk, **changes)
    assert not Objection.objects.exists()


def test_a_received_date_in_the_future_is_refused(signed, clerk, today):
    _resolution, first, _second = signed
    with pytest.raises(ValidationError, match="收到日期不能晚于今天"):
        record(entry_of(first), clerk, received_on=today + dt.timedelta(days=1))


@pytest.mark.parametrize("days_before_start", [1, 30])
def test_received_before_the_period_is_refused(signed, clerk, days_before_start):
    _resolution, first, _second = signed
    publicity = entry_of(first).publicity
    with pytest.raises(ValidationError, match="收到日期不在其中"):
        record(entry_of(first), clerk, received_on=publicity.starts_on - dt.timedelta(days=days_before_start))


def test_received_after_the_period_is_refused(signed, clerk, today):
    resolution, first, _second = signed
    Publicity.objects.filter(resolution=resolution).update(starts_on=today - dt.timedelta(days=10),
                                                           ends_on=today - dt.timedelta(days=4))
    with pytest.raises(ValidationError, match="收到日期不在其中"):
        record(entry_of(first), clerk, received_on=today - dt.timedelta(days=3))
    assert record(entry_of(first), clerk, received_on=today - dt.timedelta(days=4)).due_on > today - dt.timedelta(4)


def test_an_online_objection_after_the_period_is_refused(signed):
    _resolution, first, _second = signed
    with pytest.raises(ValidationError, match="现在不在异议期内，不能在网上提出异议"):
        objection_submit_online(entry=entry_of(first), content="该户家中有经营性车辆")
    assert not Objection.objects.exists()


def test_an_online_objection_during_the_period_holds_the_entry(publicity_running):
    _resolution, first, _second = publicity_running
    objection = objection_submit_online(entry=entry_of(first), content="该户家中有经营性车辆", contact="13812345678")
    assert (objection.channel, objection.recorded_by, objection.state) == ("online", None, "received")
    assert objection.number.startswith("YY") and len(objection.lookup_code) == 8


@pytest.mark.parametrize(("field", "value", "message"), [
    ("investigation", "", "请填写核查情况"),
    ("investigation", "查" * 2001, "核查情况最多 2000 个字"),
    ("visited_on", "tomorrow", "入户核查日期应在收到异议之日与今天之间"),
    ("visited_on", "before", "入户核查日期应在收到异议之日与今天之间"),
])
def test_a_bad_investigation_is_refused(objection, cab_town, today, field, value, message):
    values = {"investigation": "已入户核查", "visited_on": None}
    values[field] = {"tomorrow": today + dt.timedelta(days=1),
                     "before": objection.received_on - dt.timedelta(days=1)}.get(value, value)
    with pytest.raises(ValidationError, match=message):
        objection_investigate(objection=objection, acting_user=cab_town, **values)
    assert Objection.objects.get().state == Objection.State.RECEIVED


@pytest.mark.parametrize(("reason", "message"), [("", "请填写处理结果及理由"), ("理" * 501, "最多 500 个字")])
def test_a_decision_without_a_proper_reason_is_refused(objection, cab_town, reason, message):
    with pytest.raises(ValidationError, match=message):
        objection_decide(objection=objection, acting_user=cab_town, upheld=True, reason=reason)
    assert Objection.objects.get().state == Objection.State.RECEIVED
