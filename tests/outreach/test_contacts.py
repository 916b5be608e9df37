"""The village's officer records each contact with the family; the task closes when an
application arrives (through the Red Cross's real submission) or when a contact's result ends it —
declined (with the reason), moved away, died, or not reached for the OUTREACH_UNREACHABLE_ATTEMPTS-th
time — and a closed task takes no more contacts. Only the officer of the task's own village may
record; a bad date or a missing reason is refused in Chinese and nothing is written."""
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from assistance.models import OutreachContact, OutreachTask, ReviewCase
from assistance.outreach.selectors import outreach_tasks_for_user
from tests.concurrency import run_concurrently

from .helpers import contact, decided_days_ago, submit

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def _state(task: OutreachTask) -> tuple[str, str]:
    task.refresh_from_db()
    return task.state, task.outcome


def test_a_family_that_will_apply_keeps_its_task_open(task, cab_village):
    recorded = contact(task, cab_village, result="will_apply", method="visit", reason="已讲解申请流程和所需材料")
    assert (recorded.recorded_by, recorded.result, recorded.method) == (cab_village, "will_apply", "visit")
    assert _state(task) == ("open", "")
    assert recorded.history.get().history_change_reason == "登记联系情况"


@pytest.mark.parametrize("result, reason", [("declined", "家属表示已获其他救助，不再申请"), ("moved", "已迁往温州市区"),
                                            ("died", "")])
def test_each_ending_result_closes_the_task_with_that_outcome(task, cab_village, result, reason):
    contact(task, cab_village, result=result, reason=reason)
    assert _state(task) == ("closed", result)
    assert task.closed_at is not None
    closing = task.history.order_by("history_id").last()
    assert closing.history_user == cab_village and closing.history_change_reason.startswith("联系结果：")


def test_the_task_closes_as_applied_when_the_family_applies_at_the_red_cross(task, cab_village, clerk):
    contact(task, cab_village, result="will_apply")
    application = submit(clerk, task.review_case)  # the real submission service
    assert application.state == "ready"  # found eligible already: ready for costing
    assert _state(task) == ("closed", "applied")
    closing = task.history.order_by("history_id").last()
    assert (closing.history_user, closing.history_change_reason) == (clerk, f"已受理救助申请 {application.number}")


def test_an_officer_may_record_applied_once_the_application_exists(task, cab_village, clerk):
    with pytest.raises(ValidationError) as refused:
        contact(task, cab_village, result="applied")
    assert "系统中尚无该户本年度的救助申请" in refused.value.message_dict["result"][0]
    assert not OutreachContact.objects.exists() and _state(task) == ("open", "")


def test_an_application_after_a_refusal_leaves_the_closed_task_as_it_was(task, cab_village, clerk):
    contact(task, cab_village, result="declined", reason="子女承担医疗费用，不愿申请")
    submit(clerk, task.review_case)  # changed their mind: the application is accepted as any other
    assert _state(task) == ("closed", "declined")


@pytest.mark.parametrize("attempts", [3, 2])
def test_not_reached_closes_the_task_at_the_configured_attempt(task, cab_village, settings, attempts):
    settings.OUTREACH_UNREACHABLE_ATTEMPTS = attempts
    contact(task, cab_village, result="will_apply")  # reached once: not counted
    for _ in range(attempts - 1):
        contact(task, cab_village, result="unreachable", method="phone", reason="电话无人接听")
        assert _state(task) == ("open", "")
    contact(task, cab_village, result="unreachable", method="visit", reason="入户无人，邻居称外出务工")
    assert _state(task) == ("closed", "unreachable")
    assert task.history.order_by("history_id").last().history_change_reason == f"联系结果：第 {attempts} 次未联系上"


def test_a_closed_task_refuses_another_contact_in_words(task, cab_village):
    contact(task, cab_village, result="moved", reason="已迁往温州市区")
    with pytest.raises(ValidationError) as refused:
        contact(task, cab_village, result="will_apply")
    assert refused.value.messages == [f"该跟进任务已于 {TODAY():%Y-%m-%d} 办结（已迁出本市），不能再登记联系情况"]
    assert OutreachContact.objects.count() == 1


@pytest.mark.parametrize("changes, field, message", [
    ({"on": "tomorrow"}, "contacted_on", "联系日期不能晚于今天"),
    ({"on": "before"}, "contacted_on", "联系日期不能早于跟进任务生成之日"),
    ({"on": None}, "contacted_on", "请填写联系日期"),
    ({"result": "declined", "reason": "  \u200b "}, "reason", "放弃申请须写明原因"),
    ({"method": "wechat"}, "method", "请选择联系方式"),
    ({"result": "maybe"}, "result", "请选择联系结果"),
    ({"reason": "很" * 2001}, "reason", "说明最多 2000 个字"),
])
def test_bad_input_is_refused_in_chinese_and_nothing_is_written(task, cab_village, changes, field, message):
    from assistance.outreach.services import outreach_contact_record

    days = {"tomorrow": TODAY() + dt.timedelta(days=1), "before": TODAY() - dt.timedelta(days=1), None: None}
    fields = {"contacted_on": TODAY(), "method": "phone", "result": "will_apply", "reason": ""}
    fields.update({key if key != "on" else "contacted_on": days[value] if key == "on" else value
                   for key, value in changes.items()})
    with pytest.raises(ValidationError) as refused:
        outreach_contact_record(task=task, acting_user=cab_village, **fields)
    assert refused.value.message_dict[field][0].startswith(message)
    assert not OutreachContact.objects.exists() and _state(task) == ("open", "")


# ---------------------------------------------------------------------------------- who may

def test_the_town_officer_sees_the_task_but_cannot_record(task, cab_town):
    assert outreach_tasks_for_user(user=cab_town).filter(pk=task.pk).exists()
    with pytest.raises(PermissionDenied, match="您没有登记应助未助联系情况的权限"):
        contact(task, cab_town, result="will_apply")
    assert not OutreachContact.objects.exists()


def test_another_villages_officer_can_neither_see_nor_record(task, shadu_task, other_village, cab_village):
    assert list(outreach_tasks_for_user(user=other_village)) == [shadu_task]
    assert task not in outreach_tasks_for_user(user=other_village)
    with pytest.raises(PermissionDenied, match="该跟进任务不在您的服务区域内"):
        contact(task, other_village, result="will_apply")
    with pytest.raises(PermissionDenied):
        contact(shadu_task, cab_village, result="will_apply")
    assert not OutreachContact.objects.exists()


@pytest.mark.parametrize("persona", ["clerk", "msb", "finance", "secretary"])
def test_other_roles_neither_see_nor_record(request, task, persona):
    user = request.getfixturevalue(persona)
    assert not outreach_tasks_for_user(user=user).exists()
    with pytest.raises(PermissionDenied):
        contact(task, user, result="will_apply")


def test_the_auditor_sees_every_task_and_the_city_its_own(tasks, auditor, cab_city, other_town):
    assert outreach_tasks_for_user(user=auditor).count() == outreach_tasks_for_user(user=cab_city).count() == 3
    assert not outreach_tasks_for_user(user=other_town).exists()  # 莘塍街道: none of 塘下镇's
    with pytest.raises(PermissionDenied):
        contact(tasks[0], auditor, result="will_apply")


# ------------------------------------------------------------------------------- at the same time

@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_two_contacts_ending_the_task_at_once_record_one_and_refuse_the_other(
        shared_run, regions, cab_city, cab_town, cab_village):
    from assistance.models import ReviewCase
    from assistance.outreach.services import outreach_open_due

    from .helpers import make_eligible
    from tests.fixtures.personas import make_user
    from fundportal.roles import Role

    case = make_eligible(ReviewCase.objects.filter(region=regions["hantian"]).order_by("id").first(),
                         cab_city=cab_city, cab_town=cab_town, village_officer=cab_village)
    decided_days_ago([case], 30)
    outreach_open_due()
    task = OutreachTask.objects.get()
    officers = [cab_village, make_user("cab_hantian2", Role.CAB_VILLAGE, region=regions["hantian"])]
    results = run_concurrently(lambda i: contact(task, officers[i], result="declined", reason=f"第{i}位登记：不愿申请"), 2)
    recorded = [r for r in results if isinstance(r, OutreachContact)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(recorded) == 1 and len(refused) == 1, results
    assert "不能再登记联系情况" in refused[0].messages[0]
    assert OutreachContact.objects.count() == 1 and _state(task) == ("closed", "declined")


def test_a_family_found_moved_away_is_recorded_so_and_its_other_work_stops(task, cab_village,
                                                                         django_capture_on_commit_callbacks):
    from assistance.models import InsuredPerson
    from tests.fixtures.factories import ReviewCaseFactory

    person = task.review_case.person
    other = ReviewCaseFactory(person=person, year=task.year + 1, state="at_village")
    with django_capture_on_commit_callbacks(execute=True):
        contact(task, cab_village, result="moved", reason="全家迁往杭州")
    assert InsuredPerson.objects.get(pk=person.pk).moved_away
    assert ReviewCase.objects.get(pk=other.pk).state == "closed"
