"""The officers' daily digest: one SMS a day to each member of staff with overdue work — only when
something is overdue, to that person only, once however often the job runs — on the beat at 08:00
Beijing time."""
import datetime as dt

import pytest
from django_celery_beat.models import PeriodicTask

from assistance.models import ReviewCase
from fundportal.defaults import STAFF_DIGEST_TASK
from fundportal.digest import SUMMARY_MAX, TEMPLATE, digest_summary, staff_digest_send
from fundportal.notices.consent import WITHDRAWN_REPLY
from fundportal.notices.models import Notice
from fundportal.notices.sending import notice_send
from fundportal.notices.templates import template_check
from fundportal.tasks import staff_digest_task
from fundportal.workqueue import QueueItem
from tests.fixtures.factories import ObjectionFactory, ReviewCaseFactory

from .helpers import days_ago

pytestmark = pytest.mark.django_db


def late_case(region, *, state=ReviewCase.State.AT_VILLAGE, days=2):
    return ReviewCaseFactory(person__region=region, state=state, due_on=days_ago(days))


@pytest.fixture
def phones(cab_village, cab_town, cab_city, other_village, auditor):
    for n, user in enumerate((cab_village, cab_town, cab_city, other_village, auditor)):
        user.phone = f"1380000{n:04d}"
        user.save(update_fields=["phone"])


def digests():
    return list(Notice.objects.filter(template=TEMPLATE).order_by("recipient_key"))


def test_an_officer_with_overdue_work_gets_one_sms_naming_it(regions, phones, cab_village, cab_town, cab_city):
    late_case(regions["hantian"])
    late_case(regions["hantian"], state=ReviewCase.State.RETURNED)
    ReviewCaseFactory(person__region=regions["hantian"], state=ReviewCase.State.AT_VILLAGE, due_on=days_ago(-3))
    ObjectionFactory(entry__region=regions["hantian"], received_on=days_ago(30), due_on=days_ago(1))
    ReviewCaseFactory(person__region=regions["tangxia"], state=ReviewCase.State.AT_TOWN, due_on=days_ago(-2))

    # The village officer; the town and the city, who decide the objection.
    assert staff_digest_send(day=dt.date(2024, 3, 5)) == 3
    village = Notice.objects.get(recipient_key=f"user:{cab_village.pk}")
    assert (village.event_key, village.audience, village.phone) == ("digest:2024-03-05", "staff", cab_village.phone)
    assert village.params == {"count": "3", "summary": "资格审核2件、公示异议1件"}
    assert (village.subject_type.model, village.subject_id) == ("user", cab_village.pk)
    template_check(TEMPLATE, village.params)
    town = Notice.objects.get(recipient_key=f"user:{cab_town.pk}")
    assert town.params == {"count": "1", "summary": "公示异议1件"}  # its own at_town case is not late
    assert Notice.objects.get(recipient_key=f"user:{cab_city.pk}").params == town.params


def test_nothing_overdue_nothing_sent(regions, phones, cab_village):
    ReviewCaseFactory(person__region=regions["hantian"], state=ReviewCase.State.AT_VILLAGE, due_on=days_ago(-1))
    assert staff_digest_send() == 0 and digests() == []


def test_once_a_day_however_often_it_runs(regions, phones, cab_village, django_capture_on_commit_callbacks):
    late_case(regions["hantian"])
    day = dt.date(2024, 3, 5)
    with django_capture_on_commit_callbacks() as sends:
        staff_digest_send(day=day)
    assert len(sends) == 1  # sent once its transaction commits (fundportal/notices)
    with django_capture_on_commit_callbacks() as again:
        staff_digest_send(day=day)
        staff_digest_send(day=day)
    assert again == [] and len(digests()) == 1
    staff_digest_send(day=day + dt.timedelta(days=1))
    assert [n.event_key for n in digests()] == ["digest:2024-03-05", "digest:2024-03-06"]


def test_the_beat_task_is_the_same_digest(regions, phones, cab_village):
    late_case(regions["hantian"])
    assert staff_digest_task.apply().get() == 1
    assert staff_digest_task.apply().get() == 1  # told again: the same row, no second message
    assert len(digests()) == 1


def test_only_the_person_whose_work_is_late(regions, phones, cab_village, other_village, cab_city, auditor):
    late_case(regions["shadu"])
    staff_digest_send()
    # 沙渎村's officer; not 韩田村's; not the city (nothing of theirs is late); not the auditor, who
    # sees it on their queue (督办) but whose work it is not.
    assert [n.recipient_key for n in digests()] == [f"user:{other_village.pk}"]


def test_no_phone_switched_off_or_inactive_no_sms(regions, cab_village, other_village, cab_town):
    late_case(regions["hantian"])
    late_case(regions["shadu"])
    late_case(regions["tangxia"], state=ReviewCase.State.AT_TOWN)
    other_village.phone, other_village.daily_digest = "13800000001", False
    other_village.save()
    cab_town.phone, cab_town.is_active = "13800000002", False
    cab_town.save()
    assert cab_village.phone == ""
    assert staff_digest_send() == 0 and digests() == []


def test_the_summary_stays_short():
    items = [QueueItem(key=f"k{n}", label=f"{subject}：待办", count=9, url="/", overdue=count)
             for n, (subject, count) in enumerate([("资格审核", 12), ("公示异议", 3), ("复核", 2), ("救助金额", 1)])]
    summary = digest_summary(items)
    assert summary == "资格审核12件、公示异议3件、复核2件等" and len(summary) <= SUMMARY_MAX
    assert digest_summary(items[:1]) == "资格审核12件"
    long = [QueueItem(key="x", label="一个名字非常非常长的事项类别超过了短信参数长度", count=1, url="/", overdue=1)]
    assert len(digest_summary(long)) <= SUMMARY_MAX


def test_the_digest_is_on_the_beat_at_eight_beijing_time():
    task = PeriodicTask.objects.get(task=STAFF_DIGEST_TASK)
    crontab = task.crontab
    assert (crontab.minute, crontab.hour, str(crontab.timezone)) == ("0", "8", "Asia/Shanghai")
    assert task.enabled


def test_switched_off_before_it_went_out_it_is_not_sent(regions, phones, cab_village):
    late_case(regions["hantian"])
    staff_digest_send()
    [notice] = digests()
    cab_village.daily_digest = False
    cab_village.save(update_fields=["daily_digest"])
    assert notice_send(notice.pk) == "failed"
    notice.refresh_from_db()
    assert notice.state == Notice.State.FAILED and notice.provider_reply.startswith(WITHDRAWN_REPLY)
