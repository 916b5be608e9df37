"""The statutory disclosure calendar (信息公开日历): due dates by the rules (31 May; 30 days from the
event, across month and year ends and leap years), done when published (linked), overdue in red,
on finance's work queue and daily digest; the staff page for finance, read-only for auditors."""
import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from disclosure.annual.services import annual_report_publish
from disclosure.models import Statement
from disclosure.obligations.rules import annual_report_due, major_event_due
from disclosure.obligations.selectors import calendar_due_soon, calendar_items
from donations.models import PledgeInstalment
from donations.services import pledge_create
from fundportal.digest import TEMPLATE, digest_summary, overdue_items, staff_digest_send
from fundportal.notices.models import Notice
from fundportal.workqueue import queue_for
from tests.disclosure.helpers import publish
from tests.donations.helpers import record
from tests.fixtures.factories import DonorFactory

D = Decimal


@pytest.mark.parametrize("year, due", [(2023, dt.date(2024, 5, 31)), (2024, dt.date(2025, 5, 31)),
                                       (2027, dt.date(2028, 5, 31))])  # a leap year changes nothing in May
def test_the_annual_report_is_due_on_31_may_of_the_next_year(year, due):
    assert annual_report_due(year) == due


@pytest.mark.parametrize("event, due", [
    (dt.date(2023, 2, 10), dt.date(2023, 3, 12)),   # February of 28 days
    (dt.date(2024, 2, 10), dt.date(2024, 3, 11)),   # leap year: 29 days
    (dt.date(2023, 1, 31), dt.date(2023, 3, 2)),    # across a short month
    (dt.date(2024, 1, 31), dt.date(2024, 3, 1)),
    (dt.date(2023, 12, 15), dt.date(2024, 1, 14)),  # across the year's end
    (dt.date(2023, 12, 31), dt.date(2024, 1, 30)),
    (dt.date(2023, 6, 1), dt.date(2023, 7, 1)),     # the event's day is not counted
])
def test_a_major_event_is_due_30_days_after_it(event, due):
    assert major_event_due(event) == due


def _items(kind, today=None):
    return [item for item in calendar_items(today=today) if item.kind == kind]


@pytest.mark.django_db
def test_the_annual_reports_are_due_each_year_and_done_once_published(history, finance_a,
                                                                       django_capture_on_commit_callbacks):
    spring = dt.date(2024, 5, 2)
    first = _items("annual", spring)[0]
    assert (first.what, first.due_on, first.overdue, first.done) == ("2023年度工作报告及财务会计报告",
                                                                     dt.date(2024, 5, 31), False, False)
    assert first in calendar_due_soon(today=spring)  # within 30 days: on the queue, not yet overdue
    assert first not in calendar_due_soon(today=dt.date(2024, 4, 1))
    assert _items("annual", dt.date(2024, 6, 1))[0].overdue
    with django_capture_on_commit_callbacks(execute=True):
        report = annual_report_publish(year=2023, acting_user=finance_a)
    done = _items("annual")[0]
    assert done.done and done.done_url == f"/disclosure/statements/{report.sequence}/" and not done.overdue
    assert done.done_late  # published long after 31 May 2024 (today's clock)


@pytest.mark.django_db
def test_a_past_year_with_nothing_recorded_has_no_report_to_make(history):
    items = {item.event_on.year: item for item in _items("annual", dt.date(2026, 8, 1))}
    assert sorted(items) == [2023, 2024, 2025, 2026]
    assert [(year, items[year].exempt, items[year].overdue) for year in sorted(items)] == [
        (2023, False, True), (2024, True, False), (2025, True, False), (2026, False, False)]
    assert [item.event_on.year for item in calendar_due_soon(today=dt.date(2026, 8, 1))] == [2023]


@pytest.mark.django_db
def test_a_major_gift_and_a_major_batch_are_due_within_30_days(history, finance_a, settings):
    settings.DISCLOSURE_MAJOR_AMOUNT = D("50000.00")
    gift, = _items("major_gift")
    assert (gift.event_on, gift.due_on, gift.amount) == (dt.date(2023, 5, 8), dt.date(2023, 6, 7), D("60000.00"))
    assert "瑞安市人民医院" in gift.what and gift.overdue
    batch, = _items("major_batch")
    assert (batch.event_on, batch.due_on, batch.amount) == (dt.date(2023, 6, 20), dt.date(2023, 7, 20), D("56000.00"))
    may = publish("month", dt.date(2023, 5, 1), finance_a)  # lists the gift: done, linked, late
    gift, = _items("major_gift")
    assert gift.done and gift.done_url == f"/disclosure/statements/{may.sequence}/" and gift.done_late
    assert _items("major_batch")[0].overdue  # June is not published yet
    settings.DISCLOSURE_MAJOR_AMOUNT = D("100000.00")
    assert _items("major_gift") == [] and _items("major_batch") == []  # below the setting: not major


@pytest.mark.django_db
def test_the_banks_pledge_shows_each_years_instalment_and_its_arrears(finance_a):
    bank = DonorFactory(name="瑞安农商银行", org_kind="bank", created_by=finance_a)
    pledge = pledge_create(donor=bank, total=D("3000000.00"), signed_on=dt.date(2023, 6, 1),
                           instalments=[(dt.date(2023 + n, 6, 30), D("600000.00")) for n in range(5)],
                           acting_user=finance_a)
    record(finance_a, amount="600000.00", donor=bank, received_on=dt.date(2023, 6, 28),
           instalment=PledgeInstalment.objects.get(pledge=pledge, sequence=1))
    record(finance_a, amount="100000.00", donor=bank, received_on=dt.date(2024, 7, 10),
           instalment=PledgeInstalment.objects.get(pledge=pledge, sequence=2))
    rows = _items("instalment", dt.date(2024, 8, 1))
    assert [(r.due_on.year, r.done, r.overdue, r.arrears) for r in rows] == [
        (2023, True, False, D("0.00")), (2024, False, True, D("500000.00")), (2025, False, False, D("600000.00")),
        (2026, False, False, D("600000.00")), (2027, False, False, D("600000.00"))]
    assert rows[0].done_on == dt.date(2023, 6, 28) and not rows[0].done_late


@pytest.mark.django_db
def test_finance_finds_overdue_disclosures_on_its_queue_and_in_its_digest(history, finance_a, secretary, auditor,
                                                                         clerk):
    item, = [i for i in queue_for(finance_a) if i.key == "disclosure.calendar"]
    assert (item.count, item.overdue, item.url) == (1, 1, "/admin/disclosure/statement/calendar/")
    assert item.due == dt.date(2024, 5, 31)  # the 2023 report, the oldest due
    assert item in overdue_items(finance_a) and "信息公开" in digest_summary([item])
    for user in (secretary, auditor, clerk):
        assert not [i for i in queue_for(user) if i.key == "disclosure.calendar"]
    finance_a.phone = "13800001111"
    finance_a.save(update_fields=["phone"])
    assert staff_digest_send(day=dt.date(2026, 6, 1)) >= 1
    sms = Notice.objects.get(template=TEMPLATE, recipient_key=f"user:{finance_a.pk}")
    assert "信息公开1件" in sms.params["summary"]


@pytest.mark.django_db
def test_the_calendar_page_is_finances_and_read_only_for_auditors(history, finance_a, auditor, clerk, msb):
    client = Client()
    client.force_login(finance_a)
    page = client.get("/admin/disclosure/statement/calendar/").content.decode()
    assert "2023年度工作报告及财务会计报告" in page and 'class="overdue"' in page
    listing = client.get("/admin/disclosure/statement/").content.decode()
    assert "/admin/disclosure/statement/calendar/" in listing and "/admin/disclosure/statement/annual/" in listing
    assert "未公开：预览并发布" in page and "annual/?year=2023\"" in page and "关联方标记" in page
    client.force_login(auditor)
    page = client.get("/admin/disclosure/statement/calendar/").content.decode()
    assert "2023年度工作报告及财务会计报告" in page and "预览并发布" not in page
    for user in (clerk, msb):
        client.force_login(user)
        assert client.get("/admin/disclosure/statement/calendar/").status_code == 403
        assert client.get("/admin/disclosure/statement/annual/").status_code == 403


@pytest.mark.django_db
def test_the_annual_page_previews_and_only_finance_publishes(history, finance_a, auditor,
                                                             django_capture_on_commit_callbacks):
    client = Client()
    client.force_login(auditor)
    page = client.get("/admin/disclosure/statement/annual/?year=2023").content.decode()
    assert "2023年度报告预览" in page and "publish-annual" not in page
    client.post("/admin/disclosure/statement/annual/", {"year": "2023"})
    assert not Statement.objects.filter(kind="annual").exists()
    client.force_login(finance_a)
    assert "publish-annual" in client.get("/admin/disclosure/statement/annual/?year=2023").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/disclosure/statement/annual/", {"year": "2023"})
    report = Statement.objects.get(kind="annual")
    assert response.status_code == 302 and response["Location"].endswith(f"/statement/{report.pk}/change/")
    again = client.post("/admin/disclosure/statement/annual/", {"year": "2023"}, follow=True).content.decode()
    assert "不能重复发布" in again and Statement.objects.filter(kind="annual").count() == 1
    assert "已发布（第 1 号）" in client.get("/admin/disclosure/statement/annual/").content.decode()
    assert client.get(f"/admin/disclosure/statement/{report.pk}/change/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("year", ["0000", "²⁰²³", "２０２３", "0999", "abcd", "20233"])
def test_a_year_that_is_no_year_is_refused_never_an_error_page(history, finance_a, year):
    client = Client()
    client.force_login(finance_a)
    assert client.get("/admin/disclosure/statement/annual/", {"year": year}).status_code == 200
    page = client.post("/admin/disclosure/statement/annual/", {"year": year}, follow=True).content.decode()
    assert "年度应为四位数字" in page and not Statement.objects.filter(kind="annual").exists()


@pytest.mark.django_db
def test_a_year_that_cannot_be_reported_says_so_once(history, finance_a):
    client = Client()
    client.force_login(finance_a)
    page = client.post("/admin/disclosure/statement/annual/", {"year": "2019"}, follow=True).content.decode()
    assert page.count("早于基金设立") == 1


@pytest.mark.django_db
@pytest.mark.parametrize("year", [0, 999, 10000, -2023])
def test_the_service_refuses_a_year_that_is_no_year(history, finance_a, year):
    from django.core.exceptions import ValidationError
    with pytest.raises(ValidationError, match="年度应为四位数字"):
        annual_report_publish(year=year, acting_user=finance_a)
