"""The fund's second year in the demo (2024): money comes in again (the bank's second instalment,
the MSB staff's 慈善一日捐), 2023's settlements arrive month by month and are screened
(demo/medical2023.py), civil affairs reviews the new warning list, the villages follow up 2022's
families (防止返贫监测), eligibility found in August 2023 lapses and is re-checked, and deaths and
moves stop what waited on those people. The council's year is demo/council2024.py.

Work is left waiting for the demo's own officers: a new case and a re-review for cab_village, a
follow-up in their village when there is one."""
import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from assistance.followup.services import followup_record
from assistance.followup.stopping import pending_work_stop_all
from assistance.models import Application, EligibilityCategory, FollowUp, ReviewCase
from assistance.review import services as review
from assistance.review.rechecks import review_rechecks_open
from donations.models import Campaign, Donation, Donor, Pledge
from donations.services import donation_record
from fundportal.models import Region, User

from .donations import BANK_NAME, ONE_DAY_CAMPAIGN
from .medical2023 import SHARED_ON, load_medical_2023
from .review import _household, town_officer, village_officer
from .story import on

YEAR = 2023  # the cost year the fund assists in 2024
State = ReviewCase.State
INSTALMENT_ON, ONE_DAY_ON = dt.date(2024, 7, 2), dt.date(2024, 6, 21)
STEP_DAYS = [dt.date(2024, 3, 7), dt.date(2024, 3, 11), dt.date(2024, 3, 18), dt.date(2024, 3, 25)]
FOLLOWED_UP_ON = dt.date(2024, 3, 20)
# The daily re-review run on the days it opens cases: 30 days before each August 2023 decision lapses.
RECHECK_RUNS = [dt.date(2024, 7, 5), dt.date(2024, 7, 17)]
REVERIFIED_ON, REDECIDED_ON = dt.date(2024, 7, 15), dt.date(2024, 7, 22)


def load_income_2024(*, acting_user: User) -> int:
    """The bank's second instalment (due 2024-07-01) and the MSB staff's 2024 一日捐."""
    bank = Donor.objects.get(name=BANK_NAME)
    second = Pledge.objects.get(donor=bank).instalments.get(sequence=2)
    with on(dt.date(2024, 6, 1)):
        campaign, _created = Campaign.objects.get_or_create(
            name=f"{ONE_DAY_CAMPAIGN}（2024年）", defaults={"starts_on": dt.date(2024, 6, 1), "ends_on": dt.date(2024, 6, 30),
                                                        "description": "医保局干部职工2024年慈善一日捐"})
    with on(ONE_DAY_ON, 10):
        donation_record(amount=Decimal("18600.00"), received_on=ONE_DAY_ON, channel=Donation.Channel.BANK_TRANSFER,
                        donor=Donor.objects.get(name="瑞安市医疗保障局"), campaign=campaign, giver_count=91,
                        bank_reference="RA20240621000318", note="2024年干部职工慈善一日捐", acting_user=acting_user)
    with on(INSTALMENT_ON, 10):
        donation_record(amount=second.amount, received_on=INSTALMENT_ON, channel=Donation.Channel.BANK_TRANSFER, donor=bank,
                        instalment=second, campaign=second.pledge.campaign, bank_reference="RA20240702000027",
                        note="认捐协议第 2 期", acting_user=acting_user)
    return 2


def _region_town(region: Region) -> Region:
    return region if region.level == Region.Level.TOWN else region.parent


@transaction.atomic
def load_review_2023(*, users: dict[str, User]) -> dict[str, int]:
    """The new warning list, one step a day: the demo village's cases wait for cab_village; one
    case elsewhere is found not eligible; the rest eligible."""
    city, own_village = users["cab_city"], users["cab_village"].region
    cases = list(ReviewCase.objects.filter(year=YEAR, source=ReviewCase.Source.WARNING)
                 .select_related("person", "region__parent").order_by("pk"))
    categories = list(EligibilityCategory.objects.filter(is_active=True).order_by("order"))
    with on(STEP_DAYS[0]):
        cases = [review.review_case_dispatch(case=case, acting_user=city) for case in cases]
    with on(STEP_DAYS[1]):
        cases = [review.review_case_assign(case=case, acting_user=town_officer(users, _region_town(case.region)),
                                           village=None if case.region.level == Region.Level.VILLAGE else
                                           Region.objects.filter(parent=case.region).order_by("code").first())
                 for case in cases]
    waiting = [case for case in cases if case.region == own_village]
    working = [case for case in cases if case.region != own_village]
    with on(STEP_DAYS[2]):
        for index, case in enumerate(working):
            working[index] = review.review_case_verify(
                case=case, acting_user=village_officer(users, case.region), household=_household(case, index),
                household_income=Decimal(11000 + 7000 * (index % 4)), visited_on=timezone.localdate(),
                housing="自建房" if index % 2 else "租住公房", assets="无机动车，无商业用房",
                notes="2023年多次住院，自付费用高，家庭收入主要靠务工")
    with on(STEP_DAYS[3]):
        for index, case in enumerate(working):
            if index == 1:
                review.review_case_determine(case=case, acting_user=city, eligible=False,
                                             reason="家庭年人均收入高于低保边缘家庭标准")
            else:
                review.review_case_determine(case=case, acting_user=city, eligible=True,
                                             category=categories[index % len(categories)])
    return {"new": len(cases), "waiting_for_village": len(waiting)}


@transaction.atomic
def load_follow_ups(*, users: dict[str, User]) -> dict[str, int]:
    """Each flagged family's village follows up: the first elsewhere asks civil affairs to review
    the household (a review case, last year's decision beside it), the next finds no risk; the
    demo village's waits for cab_village."""
    open_ones = FollowUp.objects.filter(year=YEAR, state=FollowUp.State.OPEN).select_related("region").order_by("pk")
    elsewhere = [f for f in open_ones if f.region != users["cab_village"].region]
    outcomes = [(FollowUp.Outcome.REVIEW, "入户核实：配偶今年确诊慢性肾病需长期透析，家庭收入减少，建议重新认定"),
                (FollowUp.Outcome.NO_RISK, "入户核实：2023年住院费用已由大病保险和本基金报销大部分，子女务工收入稳定，暂无返贫风险")]
    with on(FOLLOWED_UP_ON, 15):
        for follow_up, (outcome, notes) in zip(elsewhere, outcomes):
            followup_record(follow_up=follow_up, acting_user=village_officer(users, follow_up.region), outcome=outcome,
                            notes=notes)
    counts: dict[str, int] = {}
    for follow_up in FollowUp.objects.filter(year=YEAR):
        label = str(follow_up.get_outcome_display() if follow_up.outcome else follow_up.get_state_display())
        counts[label] = counts.get(label, 0) + 1
    return counts


RECHECK_RAISE = Decimal("2400")


def _same_household_one_income_up(previous: ReviewCase, raise_: Decimal) -> tuple[list[dict], str]:
    """The household the last decision found, as the village finds it again a year on: the same
    members, the spouse's income (or, living alone, the person's own) up by `raise_` — what the
    visit's notes say, so the re-review's comparison shows just that."""
    members = [{"name": m.name, "relation": m.relation, "resident_id": m.resident_id,
                "annual_income": m.annual_income} for m in previous.household.order_by("pk")]
    earner = next((m for m in members if m["relation"] == "配偶"), None) or next(
        m for m in members if m["relation"] == "本人")
    earner["annual_income"] += raise_
    return members, "配偶" if earner["relation"] == "配偶" else "本人"


@transaction.atomic
def load_rechecks(*, users: dict[str, User]) -> dict[str, int]:
    """The daily runs open the re-reviews; villages other than the demo's verify again (the
    household changed a little) and the city decides; cab_village's wait."""
    for day in RECHECK_RUNS:
        with on(day, 1, 40):
            review_rechecks_open()
    rechecks = list(ReviewCase.objects.filter(source=ReviewCase.Source.RECHECK).exclude(
        region=users["cab_village"].region).select_related("person", "previous__category").order_by("pk"))
    with on(REVERIFIED_ON, 15):
        for index, case in enumerate(rechecks):
            previous = case.previous
            household, earner = _same_household_one_income_up(previous, RECHECK_RAISE)
            rechecks[index] = review.review_case_verify(
                case=case, acting_user=village_officer(users, case.region), household=household,
                household_income=(previous.household_income or Decimal("0")) + RECHECK_RAISE,
                visited_on=REVERIFIED_ON, housing=previous.housing, assets=previous.assets,
                notes=f"到期复审：家庭成员无变化，{earner}收入略有增加，仍需长期治疗")
    with on(REDECIDED_ON):
        for case in rechecks:
            review.review_case_determine(case=case, acting_user=users["cab_city"], eligible=True,
                                         category=case.previous.category)
    return {"opened": ReviewCase.objects.filter(source=ReviewCase.Source.RECHECK).count(),
            "decided": len(rechecks)}


def load_second_year(*, users: dict[str, User]) -> dict:
    """2024, in the order things happen; returns what load_demo prints."""
    jobs, run = load_medical_2023(acting_user=users["msb"])
    with on(SHARED_ON, 16):
        pending_work_stop_all()  # the files' deaths and moves (each import also sends it)
    stopped = {"cases": ReviewCase.objects.filter(state=State.CLOSED).count(),
               "applications": Application.objects.filter(state=Application.State.WITHDRAWN).count()}
    return {
        "files": len(jobs), "run": run, "stopped": stopped, "review": load_review_2023(users=users),
        "follow_ups": load_follow_ups(users=users), "income": load_income_2024(acting_user=users["finance"]),
        "rechecks": load_rechecks(users=users),
    }
