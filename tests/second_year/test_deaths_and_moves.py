"""A death or a move away (from a settlement file's status column, or recorded by an officer)
stops the work pending on that person, each with the reason written on it and in its history:
open review cases closed (终止), applications not yet decided withdrawn, open outreach and
follow-up tasks closed. Decided applications stay as decided. Running it again changes nothing;
the import sends it after loading a file that records a death."""
from decimal import Decimal

import pytest

from assistance.followup.stopping import pending_work_stop_all, people_with_pending_work
from assistance.followup.tasks import pending_work_stop_task
from assistance.intake.services import settlement_import_create, settlement_import_run
from assistance.models import Application, FollowUp, InsuredPerson, OutreachTask, ReviewCase
from tests.fixtures.factories import (ApplicationFactory, FollowUpFactory, InsuredPersonFactory, OutreachTaskFactory,
                                      ReviewCaseFactory)

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending(regions, clerk):
    """One person with one of each kind of pending work, and a decided (approved) application."""
    person = InsuredPersonFactory(region=regions["hantian"])
    case = ReviewCaseFactory(person=person, year=2023, state=ReviewCase.State.AT_VILLAGE)
    task = OutreachTaskFactory(review_case__person=person)  # found eligible for 2022, not applied
    return {
        "person": person, "case": case, "task": task,
        "under_review": ApplicationFactory(person=person, year=2023, state=Application.State.UNDER_REVIEW,
                                           review_case=case, entered_by=clerk),
        "approved": ApplicationFactory(person=person, year=2022, state=Application.State.APPROVED, entered_by=clerk),
        "follow_up": FollowUpFactory(person=person),
    }


@pytest.mark.parametrize("field, reason, outcome", [("is_deceased", "对象已死亡", "died"),
                                                    ("moved_away", "对象已迁出本市", "moved")])
def test_everything_pending_is_stopped_with_the_reason(pending, field, reason, outcome):
    assert not people_with_pending_work().exists()  # alive and here: nothing to stop
    InsuredPerson.objects.filter(pk=pending["person"].pk).update(**{field: True})
    assert list(people_with_pending_work()) == [pending["person"]]
    assert pending_work_stop_task.delay().get() == 1

    case = ReviewCase.objects.get(pk=pending["case"].pk)
    assert (case.state, case.closed_reason) == (ReviewCase.State.CLOSED, reason)
    assert case.history.first().history_change_reason == f"终止：{reason}"
    application = Application.objects.get(pk=pending["under_review"].pk)
    assert (application.state, application.withdrawn_reason) == (Application.State.WITHDRAWN, reason)
    task = OutreachTask.objects.get(pk=pending["task"].pk)
    assert (task.state, task.outcome) == ("closed", outcome) and task.closed_at is not None
    follow_up = FollowUp.objects.get(pk=pending["follow_up"].pk)
    assert (follow_up.state, follow_up.outcome) == ("closed", outcome)
    assert Application.objects.get(pk=pending["approved"].pk).state == Application.State.APPROVED  # decided: kept

    assert pending_work_stop_all() == 0  # nothing left: a second run changes nothing
    assert not people_with_pending_work().exists()


def test_other_people_are_left_alone(pending, regions, clerk):
    other = InsuredPersonFactory(region=regions["hantian"], is_deceased=True)  # dead, with nothing pending
    alive = ReviewCaseFactory(year=2023, state=ReviewCase.State.AT_TOWN)
    assert pending_work_stop_all() == 0
    assert ReviewCase.objects.get(pk=alive.pk).state == ReviewCase.State.AT_TOWN
    assert not other.review_cases.exists()


DEATH_FILE = ("结算编号,身份证号,姓名,户籍地,参保类型,人员状态,结算日期,医疗机构,是否省内,医疗总费用,基本医保支付,"
              "大病保险支付,医疗救助支付,个人自付\n"
              "JS-D-1,{rid},{name},浙江省温州市瑞安市塘下镇韩田村,城乡居民,死亡,2023-04-01,瑞安市人民医院,是,"
              "1000.00,600.00,0,0,400.00\n")


def test_an_import_that_records_a_death_stops_the_pending_work(pending, msb, tmp_path, django_capture_on_commit_callbacks):
    person = pending["person"]
    path = tmp_path / "2023年结算数据.csv"
    path.write_text(DEATH_FILE.format(rid=person.resident_id, name=person.name), encoding="utf-8")
    job = settlement_import_create(year=2023, acting_user=msb, file_name=path.name)
    with django_capture_on_commit_callbacks(execute=True):
        job = settlement_import_run(job=job, path=path)
    assert job.rows_imported == 1, job.message
    assert InsuredPerson.objects.get(pk=person.pk).is_deceased
    assert ReviewCase.objects.get(pk=pending["case"].pk).state == ReviewCase.State.CLOSED
    assert Application.objects.get(pk=pending["under_review"].pk).state == Application.State.WITHDRAWN


def test_a_stopped_application_says_why(pending):
    InsuredPerson.objects.filter(pk=pending["person"].pk).update(is_deceased=True)
    pending_work_stop_all()
    application = Application.objects.get(pk=pending["under_review"].pk)
    assert application.history.first().history_change_reason == "终止：对象已死亡"
    assert application.get_state_display() == "已撤回"
    assert Decimal(application.insured_out_of_pocket) == pending["under_review"].insured_out_of_pocket


def test_the_familys_progress_page_says_the_application_was_stopped_and_when(pending):
    import datetime as dt

    import time_machine
    from django.test import Client
    from django.utils import timezone

    application = pending["under_review"]
    InsuredPerson.objects.filter(pk=pending["person"].pk).update(moved_away=True)
    with time_machine.travel(timezone.now() + dt.timedelta(days=40), tick=False):
        stopped_on = timezone.localdate()
        pending_work_stop_all()
    page = Client().get(f"/progress/?n={application.number}&c={application.lookup_code}", follow=True).content.decode()
    assert "申请已终止办理（对象已迁出本市）" in page and f"{stopped_on:%Y-%m-%d}" in page
    assert "申请已撤回" not in page  # never as if the family had withdrawn it
