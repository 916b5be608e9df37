"""The council's per-year rules: the annual cap per person (年度救助限额) counts the grants of one
cost year only; a scheme costs its own year's applications only; a year's lists are counted 第一批,
第二批 … per cost year; resolution numbers (2023-第N号) run per year of the meeting that adopted
them, each year from 1; the public scheme page shows the scheme of the cost year being assisted
(Beijing's year − 1).

The fund's calendar: the 2022 costs are assisted in 2023 under the 2022 scheme, the 2023 costs in
2024 under the 2023 scheme; one person may be assisted in both.
"""
import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from assistance.council.schemes import application_compute
from assistance.council.services import meeting_record, resolution_draft_payouts, resolution_sign
from assistance.models import Application, CouncilMember, ResolutionItem
from disclosure.scheme_page import scheme_in_force
from tests.fixtures.council import fund

from .helpers import approved_scheme, at, person_new, ready_of_year

pytestmark = pytest.mark.django_db
D = Decimal


def meeting_on(secretary, day: dt.date, title: str = "理事会会议"):
    members = list(CouncilMember.objects.order_by("order"))[:3]
    return meeting_record(acting_user=secretary, held_on=day, title=title, agenda="审议救助名单",
                          attendance=[(m, f"{m.name}代表") for m in members])


def sign_list(secretary, scheme, day: dt.date, applications=None):
    draft = resolution_draft_payouts(meeting=meeting_on(secretary, day), scheme=scheme, acting_user=secretary,
                                     applications=applications)
    return resolution_sign(resolution=draft, acting_user=secretary)


def amount_of(resolution, application) -> Decimal:
    return ResolutionItem.objects.get(resolution=resolution, application=application).amount


def test_the_annual_cap_counts_the_grants_of_one_cost_year_and_all_of_them(secretary, clerk, town, finance_a):
    fund("300000", finance_a)
    scheme_2022, scheme_2023 = approved_scheme(secretary, 2022), approved_scheme(secretary, 2023)
    person = person_new(town, 9001, "褚大伟")
    # 2022's costs: (100,000 − 5,000) × 70 % = 66,500, capped at 50,000 — the whole of 2022's cap.
    of_2022 = ready_of_year(clerk, town, 2022, out_of_pocket="100000", person=person)
    first_2022 = sign_list(secretary, scheme_2022, dt.date(2023, 6, 1), [of_2022])
    assert amount_of(first_2022, of_2022) == D("50000.00")
    # 2023's costs: (55,000 − 5,000) × 70 % = 35,000, in full: 2022's 50,000 is not 2023's cap.
    of_2023 = ready_of_year(clerk, town, 2023, out_of_pocket="55000", person=person)
    first_2023 = sign_list(secretary, scheme_2023, dt.date(2024, 6, 1), [of_2023])
    assert amount_of(first_2023, of_2023) == D("35000.00")
    # Later 2023 costs, a second 2023 application (the year's costs now 80,000): (80,000 − 5,000) × 70 %
    # = 52,500, capped at 50,000, less the 35,000 this year already granted: 15,000. Two
    # applications of one year share one cap.
    later_2023 = ready_of_year(clerk, town, 2023, out_of_pocket="80000", person=person)
    second_2023 = sign_list(secretary, scheme_2023, dt.date(2024, 9, 1), [later_2023])
    assert amount_of(second_2023, later_2023) == D("15000.00")
    # The same second application alone in its year (another person) would have had the cap.
    somebody = ready_of_year(clerk, town, 2023, out_of_pocket="80000")
    assert application_compute(scheme=scheme_2023, application=somebody).amount == D("50000.00")


def test_a_scheme_costs_only_its_own_cost_years_applications(secretary, clerk, town):
    scheme_2022 = approved_scheme(secretary, 2022)
    of_2023 = ready_of_year(clerk, town, 2023, out_of_pocket="55000")
    with pytest.raises(ValidationError, match="方案适用于 2022 年的费用，申请为 2023 年"):
        application_compute(scheme=scheme_2022, application=of_2023)
    # A draft of the 2022 scheme takes the ready applications of 2022 only: there are none.
    with pytest.raises(ValidationError, match="没有可列入决议的申请：2022 年"):
        resolution_draft_payouts(meeting=meeting_on(secretary, dt.date(2024, 6, 1)), scheme=scheme_2022,
                                 acting_user=secretary)
    assert Application.objects.get(pk=of_2023.pk).state == Application.State.READY


def test_resolution_numbers_run_per_year_of_the_meeting_and_lists_per_cost_year(secretary, clerk, town, finance_a):
    fund("300000", finance_a)
    scheme_2022, scheme_2023 = approved_scheme(secretary, 2022), approved_scheme(secretary, 2023)
    with at(2023, 12, 29, 15, 0, 0):
        december = sign_list(secretary, scheme_2022, dt.date(2023, 12, 29),
                             [ready_of_year(clerk, town, 2022, out_of_pocket="30000")])
    # Adopted at the meeting of 29 December, signed on 2 January: the meeting's year numbers it.
    with at(2024, 1, 2, 9, 0, 0):
        late_draft = resolution_draft_payouts(
            meeting=meeting_on(secretary, dt.date(2023, 12, 29)), scheme=scheme_2022, acting_user=secretary,
            applications=[ready_of_year(clerk, town, 2022, out_of_pocket="30000")])
    with at(2024, 1, 3, 0, 0, 1):  # 2 January in UTC
        first_of_2024 = sign_list(secretary, scheme_2023, dt.date(2024, 1, 3),
                                  [ready_of_year(clerk, town, 2023, out_of_pocket="30000")])
        late = resolution_sign(resolution=late_draft, acting_user=secretary)
    assert [r.number for r in (december, late, first_of_2024)] == ["2023-第1号", "2023-第2号", "2024-第1号"]
    # The lists are counted per cost year: 2022's second list, 2023's first, whatever the calendar.
    assert [r.title for r in (december, late, first_of_2024)] == [
        "关于批准2022年度第一批救助名单的决议", "关于批准2022年度第二批救助名单的决议", "关于批准2023年度第一批救助名单的决议"]


def test_the_public_scheme_page_turns_to_the_new_cost_year_at_beijing_midnight(secretary):
    scheme_2022, scheme_2023 = approved_scheme(secretary, 2022), approved_scheme(secretary, 2023)
    with at(2023, 12, 31, 23, 59, 59):  # assisting 2022's costs: the 2023 scheme, approved early, waits
        assert scheme_in_force() == scheme_2022
    with at(2024, 1, 1, 0, 0, 1):  # 31 December in UTC
        assert scheme_in_force() == scheme_2023
