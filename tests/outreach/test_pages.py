"""The outreach pages in the admin: each officer's list of their area's tasks (names and ID numbers
masked, never cached), its filters, a task's page with its contacts and — for the village's
officer while it is open — the form recording a contact through the service; read-only for the
town and the city; a 404 for another village's officer and for roles that do not see outreach."""
import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from assistance.models import OutreachContact, OutreachTask
from fundportal.masking import mask_name

from .helpers import contact

pytestmark = pytest.mark.django_db
LIST = "admin:assistance_outreachtask_changelist"


def _page(task):
    return reverse("admin:assistance_outreachtask_change", args=[task.pk])


def _post(task):
    return reverse("admin:assistance_outreachtask_contact", args=[task.pk])


def _listed(client, query="") -> set[int]:
    response = client.get(reverse(LIST) + query)
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    return {task.pk for task in response.context["cl"].result_list}


def test_the_village_officer_lists_the_villages_tasks_masked(client, tasks, cab_village):
    client.force_login(cab_village)
    response = client.get(reverse(LIST))
    html = response.content.decode()
    assert {t.pk for t in response.context["cl"].result_list} == {tasks[0].pk, tasks[1].pk}
    for task in tasks[:2]:
        person = task.review_case.person
        assert mask_name(person.name) in html and person.name not in html
        assert person.resident_id not in html
    assert "应助未助报表" in html


def test_the_filters_state_overdue_outcome_and_town(client, tasks, cab_town, cab_village, regions):
    contact(tasks[0], cab_village, result="declined", reason="不愿申请")
    OutreachTask.objects.filter(pk=tasks[1].pk).update(due_on=timezone.localdate() - dt.timedelta(days=1))
    client.force_login(cab_town)
    assert _listed(client) == {t.pk for t in tasks}
    assert _listed(client, "?state__exact=open") == {tasks[1].pk, tasks[2].pk}
    assert _listed(client, "?overdue=yes") == {tasks[1].pk}
    assert _listed(client, "?outcome__exact=declined") == {tasks[0].pk}
    assert _listed(client, f"?town={regions['tangxia'].pk}") == {t.pk for t in tasks}
    client.force_login(cab_village)
    assert _listed(client, "?overdue=yes") == {tasks[1].pk}
    page = client.get(reverse(LIST) + "?overdue=yes").content.decode()
    assert "已逾期" in page


def test_the_village_officer_records_a_contact_on_the_tasks_page(client, task, cab_village):
    client.force_login(cab_village)
    page = client.get(_page(task))
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    assert page.context["contact_form"] is not None and 'id="contact"' in page.content.decode()
    response = client.post(_post(task), {"contacted_on": timezone.localdate().isoformat(), "method": "visit",
                                         "result": "declined", "reason": "家属表示由子女承担，不申请"}, follow=True)
    assert response.redirect_chain[-1][0] == _page(task)
    assert "跟进任务已办结（本人放弃申请）" in response.content.decode()
    recorded = OutreachContact.objects.get()
    assert (recorded.task, recorded.recorded_by, recorded.result) == (task, cab_village, "declined")
    page = client.get(_page(task)).content.decode()
    assert "家属表示由子女承担，不申请" in page and 'id="contact"' not in page  # closed: no form


def test_bad_input_on_the_page_is_refused_in_chinese_and_nothing_is_saved(client, task, cab_village):
    client.force_login(cab_village)
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = client.post(_post(task), {"contacted_on": tomorrow, "method": "phone", "result": "will_apply"})
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert "联系日期不能晚于今天" in response.content.decode()
    response = client.post(_post(task), {"contacted_on": timezone.localdate().isoformat(), "method": "phone",
                                         "result": "declined", "reason": ""})
    assert "放弃申请须写明原因" in response.content.decode()
    assert not OutreachContact.objects.exists()


def test_a_closed_tasks_form_is_refused_with_the_reason(client, task, cab_village):
    contact(task, cab_village, result="moved", reason="已迁往温州")
    client.force_login(cab_village)
    response = client.post(_post(task), {"contacted_on": timezone.localdate().isoformat(), "method": "phone",
                                         "result": "will_apply"}, follow=True)
    assert "该跟进任务已办结（已迁出本市），不能再登记联系情况" in response.content.decode()
    assert OutreachContact.objects.count() == 1


def test_the_town_sees_the_page_read_only_and_cannot_post(client, task, cab_town, cab_city):
    for officer in (cab_town, cab_city):
        client.force_login(officer)
        page = client.get(_page(task))
        assert page.status_code == 200 and page.context["contact_form"] is None
        assert client.post(_post(task), {"contacted_on": timezone.localdate().isoformat(), "method": "phone",
                                         "result": "will_apply"}).status_code == 403
    assert not OutreachContact.objects.exists()


def test_another_villages_officer_gets_a_404(client, task, other_village):
    client.force_login(other_village)
    assert client.get(_page(task)).status_code == 404
    assert client.post(_post(task), {"contacted_on": timezone.localdate().isoformat(), "method": "phone",
                                     "result": "will_apply"}).status_code == 404
    assert task.pk not in _listed(client)


@pytest.mark.parametrize("persona", ["clerk", "msb", "finance"])
def test_roles_that_do_not_see_outreach_are_refused(request, client, task, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse(LIST)).status_code == 403
    assert client.get(_page(task)).status_code == 404
    assert client.get(reverse("admin:assistance_outreachtask_report")).status_code == 403
    assert client.post(_post(task), {"contacted_on": timezone.localdate().isoformat(), "method": "phone",
                                     "result": "will_apply"}).status_code == 404


def test_the_tasks_history_is_the_audit_history(client, task, cab_village, auditor):
    contact(task, cab_village, result="died")
    client.force_login(auditor)
    page = client.get(reverse("admin:assistance_outreachtask_history", args=[task.pk]))
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    html = page.content.decode()
    assert "认定符合条件已满 30 天，尚未提出救助申请" in html and "联系结果：已去世" in html
    assert task.review_case.person.name not in html  # the task is named by the masked person


def test_no_add_change_or_delete(client, task, cab_village, admin_user):
    client.force_login(admin_user)
    assert client.get(reverse("admin:assistance_outreachtask_add")).status_code == 403
    page = client.get(_page(task))
    assert page.status_code == 200 and b'name="_save"' not in page.content
    assert client.get(reverse("admin:assistance_outreachtask_delete", args=[task.pk])).status_code == 403


def test_the_list_takes_as_many_queries_for_many_tasks_as_for_few(client, tasks, cab_town, regions):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.fixtures.factories import OutreachTaskFactory

    client.force_login(cab_town)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse(LIST)).status_code == 200
        return len(captured)

    few = queries()
    village = regions["hantian"]
    for _ in range(8):
        OutreachTaskFactory(region=village, review_case__region=village, review_case__person__region=village)
    assert len(_listed(client)) == 11 and queries() == few
