"""Deadlines that run over New Year and the Spring Festival, on the fund's clock (Beijing time).

- review steps: working days (chinese-calendar: 元旦 and 春节 are not working days, the weekend days
  worked in their place, 调休, are), overdue from the day after the deadline;
- 公示: PUBLICITY_DAYS (7) calendar days from the signing day, both ends included; objections
  online only inside it, by Beijing's date;
- objections: answered within OBJECTION_WORKING_DAYS (20) working days of receipt; numbered
  YY<year received><five digits>, each year from 00001;
- 复核 (appeals): asked within APPEAL_WINDOW_DAYS (60) calendar days of the decision's Beijing date;
  decided within APPEAL_WORKING_DAYS (20) working days; numbered FH<year filed><five digits>.

The expected dates are counted by hand from the State Council's 2025 calendar: 1 January off;
28 January – 4 February off; Sunday 26 January and Saturday 8 February worked.
"""
import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from assistance.appeals.selectors import appeals_overdue, appeal_refusal
from assistance.appeals.services import appeal_file
from assistance.applications.services import application_submit
from assistance.council.services import meeting_record, resolution_draft_payouts, resolution_sign
from assistance.models import Appeal, CouncilMember, Objection, PublicityEntry, ReviewCase
from assistance.publicity.selectors import objections_overdue
from assistance.publicity.services import objection_record, objection_submit_online
from assistance.review.selectors import review_cases_overdue
from tests.fixtures.council import fund
from tests.fixtures.factories import make_resident_id

from .helpers import approved_scheme, at, ready_of_year

pytestmark = pytest.mark.django_db
CONTENT = "该户家中有经营性车辆，收入较高"
GROUNDS = "家中两人长期住院，收入已不足以维持生活，请求重新核查"


def apply(clerk, region, seed: int):
    name = f"卫{seed}"
    return application_submit(
        acting_user=clerk, resident_id=make_resident_id(seed, birth=dt.date(1962, 7, 8)), name=name, region=region,
        year=2024, phone="13812345678", account_holder=name, bank_name="瑞安农商银行",
        account_number="6228480012345673256", members=[{"name": name, "relation": "本人"}], extra_costs=[],
        documents=[])


def test_a_review_step_started_on_new_years_eve_or_before_the_spring_festival_skips_the_holidays(clerk, regions):
    with at(2024, 12, 31, 10, 0, 0):
        new_year = apply(clerk, regions["hantian"], 7001).review_case
    with at(2025, 1, 24, 10, 0, 0):  # a Friday
        spring = apply(clerk, regions["hantian"], 7002).review_case
    # First screening, 5 working days: 2, 3, 6, 7, 8 January (not the 1st);
    # 26 (a Sunday worked), 27 January, 5, 6, 7 February (not 28 January – 4 February).
    assert (new_year.due_on, spring.due_on) == (dt.date(2025, 1, 8), dt.date(2025, 2, 7))
    cases = ReviewCase.objects.filter(pk=new_year.pk)
    with at(2025, 1, 8, 23, 59, 59):
        assert not review_cases_overdue(cases).exists()
    with at(2025, 1, 9, 0, 0, 1):  # 8 January in UTC
        assert review_cases_overdue(cases).exists()


@pytest.fixture
def posted_over_new_year(secretary, clerk, town, finance_a):
    """The council signs on Monday 30 December 2024 at 10:00: its 公示 runs 30 December – 5 January."""
    with at(2024, 12, 30, 10, 0, 0):
        fund("100000", finance_a)
        scheme = approved_scheme(secretary, 2023)
        first = ready_of_year(clerk, town, 2023, out_of_pocket="55000")
        second = ready_of_year(clerk, town, 2023, out_of_pocket="35000")
        members = list(CouncilMember.objects.order_by("order"))[:3]
        meeting = meeting_record(acting_user=secretary, held_on=dt.date(2024, 12, 30), title="理事会会议",
                                 agenda="审议2023年度救助名单", attendance=[(m, f"{m.name}代表") for m in members])
        draft = resolution_draft_payouts(meeting=meeting, scheme=scheme, acting_user=secretary)
        resolution = resolution_sign(resolution=draft, acting_user=secretary)
    return resolution, first, second


def entry_of(application) -> PublicityEntry:
    return PublicityEntry.objects.select_related("publicity").get(item__application=application)


def test_the_publicity_runs_seven_beijing_days_over_new_year(posted_over_new_year):
    _resolution, first, _second = posted_over_new_year
    publicity = entry_of(first).publicity
    assert (publicity.starts_on, publicity.ends_on) == (dt.date(2024, 12, 30), dt.date(2025, 1, 5))
    with at(2025, 1, 5, 23, 59, 59):
        assert objection_submit_online(entry=entry_of(first), content=CONTENT).received_on == dt.date(2025, 1, 5)
    with at(2025, 1, 6, 0, 0, 1), pytest.raises(ValidationError, match="现在不在异议期内"):  # 5 January in UTC
        objection_submit_online(entry=entry_of(first), content=CONTENT)


def test_objections_are_numbered_by_the_year_received_and_answered_in_working_days(posted_over_new_year, clerk):
    _resolution, first, second = posted_over_new_year
    with at(2025, 1, 1, 0, 0, 1):  # 31 December in UTC
        online = objection_submit_online(entry=entry_of(first), content=CONTENT)
    # Phoned in on New Year's Eve, written down on 2 January: the year it was received numbers it.
    with at(2025, 1, 2, 9, 0, 0):
        phoned = objection_record(entry=entry_of(second), channel="phone", content=CONTENT,
                                  received_on=dt.date(2024, 12, 31), acting_user=clerk)
    assert (online.received_on, online.number) == (dt.date(2025, 1, 1), "YY202500001")
    assert (phoned.received_on, phoned.number) == (dt.date(2024, 12, 31), "YY202400001")
    # 20 working days: 2 January … 27 January (the 19th, a Sunday worked among them), then the
    # Spring Festival, then 5 February — from 31 December and from 1 January alike (1 January is
    # a holiday, not a working day).
    assert online.due_on == phoned.due_on == dt.date(2025, 2, 5)
    objections = Objection.objects.filter(pk=online.pk)
    with at(2025, 2, 5, 23, 59, 59):
        assert not objections_overdue(objections).exists()
    with at(2025, 2, 6, 0, 0, 1):
        assert objections_overdue(objections).exists()


def test_a_review_may_be_asked_for_60_days_from_the_decisions_beijing_date(secretary, clerk, town, finance_a):
    # Signed at 00:30 on 1 January 2025 in Beijing — still 31 December in UTC. The window counts
    # from 1 January: its last day is 2 March (a UTC date would have ended it on 1 March).
    with at(2025, 1, 1, 0, 30, 0):
        fund("100000", finance_a)
        scheme = approved_scheme(secretary, 2024)
        application = ready_of_year(clerk, town, 2024, out_of_pocket="55000")
        members = list(CouncilMember.objects.order_by("order"))[:3]
        meeting = meeting_record(acting_user=secretary, held_on=dt.date(2024, 12, 31), title="理事会会议",
                                 agenda="审议2024年度救助名单", attendance=[(m, f"{m.name}代表") for m in members])
        resolution_sign(resolution=resolution_draft_payouts(meeting=meeting, scheme=scheme, acting_user=secretary),
                        acting_user=secretary)
    application.refresh_from_db()
    with at(2025, 3, 2, 23, 59, 59):
        assert appeal_refusal(application) is None
    with at(2025, 3, 3, 0, 0, 1), pytest.raises(ValidationError, match="申请复核的期限已过.*2025-03-02 前"):
        appeal_file(application=application, grounds=GROUNDS, acting_user=clerk)
    with at(2025, 3, 2, 23, 59, 59):
        appeal = appeal_file(application=application, grounds=GROUNDS, acting_user=clerk)
    assert (appeal.number, appeal.filed_on, appeal.due_on) == ("FH202500001", dt.date(2025, 3, 2),
                                                              dt.date(2025, 3, 28))


def test_a_review_asked_for_before_the_spring_festival_is_due_after_it(secretary, clerk, town, finance_a):
    with at(2024, 12, 20, 10, 0, 0):
        fund("100000", finance_a)
        scheme = approved_scheme(secretary, 2024)
        application = ready_of_year(clerk, town, 2024, out_of_pocket="55000")
        members = list(CouncilMember.objects.order_by("order"))[:3]
        meeting = meeting_record(acting_user=secretary, held_on=dt.date(2024, 12, 20), title="理事会会议",
                                 agenda="审议2024年度救助名单", attendance=[(m, f"{m.name}代表") for m in members])
        resolution_sign(resolution=resolution_draft_payouts(meeting=meeting, scheme=scheme, acting_user=secretary),
                        acting_user=secretary)
    application.refresh_from_db()
    with at(2025, 1, 24, 16, 0, 0):  # the Friday before the holidays
        appeal = appeal_file(application=application, grounds=GROUNDS, acting_user=clerk)
    # 20 working days: 26, 27 January, then 5–8 February (the 8th a Saturday worked), 10–14,
    # 17–21, 24–27 February.
    assert (appeal.number, appeal.due_on) == ("FH202500001", dt.date(2025, 2, 27))
    appeals = Appeal.objects.filter(pk=appeal.pk)
    with at(2025, 2, 28, 0, 0, 1):
        assert appeals_overdue(appeals).exists()
