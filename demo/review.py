"""Civil affairs' part of the demo: the shared warning targets' review cases, in every state.

The cases move through the same services as on the desk: the city bureau (cab_city) dispatches,
each town's officer hands over, each village's officer verifies, cab_city decides. Towns and
villages other than the demo's 塘下镇 / 韩田村 get an officer of their own (no password: nobody
logs in as them; they appear in the cases' history as who did the work there).
"""
import datetime as dt
from decimal import Decimal

from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Case, When
from django.utils import timezone

from assistance.review import services as review
from assistance.models import EligibilityCategory, ReviewCase
from fundportal.models import Region, User
from fundportal.roles import Role

from .story import on

State = ReviewCase.State
# The state each case is left in, in turn: every state appears, in several towns. The demo
# village's cases wait for its officer (cab_village); the demo town's for cab_town and cab_city.
PLAN = [State.FIRST_SCREENING, State.AT_TOWN, State.AT_VILLAGE, State.VERIFIED, State.RETURNED, State.ELIGIBLE,
        State.NOT_ELIGIBLE, State.ELIGIBLE]
DEMO_VILLAGE_PLAN = [State.AT_VILLAGE, State.RETURNED, State.AT_VILLAGE, State.VERIFIED, State.ELIGIBLE]
DEMO_TOWN_PLAN = [State.AT_TOWN, State.VERIFIED, State.FIRST_SCREENING, State.NOT_ELIGIBLE]
# The day each step is taken for all the cases that take it (the list was shared on 2023-07-18).
STEP_DAYS = {1: dt.date(2023, 7, 20), 2: dt.date(2023, 7, 24), 3: dt.date(2023, 7, 31), 4: dt.date(2023, 8, 4)}
APPLIED_ON, DECIDED_LATER_ON = dt.date(2023, 8, 14), dt.date(2023, 8, 21)
STEPS = {  # how far along the path each planned state is
    State.FIRST_SCREENING: 0, State.AT_TOWN: 1, State.AT_VILLAGE: 2, State.VERIFIED: 3, State.RETURNED: 4,
    State.ELIGIBLE: 4, State.NOT_ELIGIBLE: 4,
}
# (relation, given name, annual income) of the members besides the person: family names follow theirs.
HOUSEHOLDS = [
    [("配偶", None, Decimal("14400"))],
    [],
    [("子女", "建国", Decimal("36000")), ("孙子女", "欣怡", Decimal("0"))],
    [("配偶", None, Decimal("0")), ("子女", "丽", Decimal("21600"))],
]
SPOUSES = ["陈秀英", "林美华", "王桂兰", "黄丽娟"]


def _household(case: ReviewCase, index: int) -> list[dict]:
    person = case.person
    members = [{"name": person.name, "relation": "本人", "annual_income": Decimal("3600") * (index % 2)}]
    for relation, given, income in HOUSEHOLDS[index % len(HOUSEHOLDS)]:
        name = SPOUSES[index % len(SPOUSES)] if given is None else person.name[0] + given
        members.append({"name": name, "relation": relation, "annual_income": income})
    return members


def _officer(region: Region, role: Role) -> User:
    username = f"cab_{region.code}"
    user, created = User.objects.get_or_create(
        username=username, defaults={"first_name": f"{region.name}民政", "region": region, "is_staff": True,
                                     "organisation": f"{region.name}"})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
        user.groups.add(Group.objects.get(name=role))
    return user


def town_officer(users: dict[str, User], town: Region) -> User:
    return users["cab_town"] if users["cab_town"].region == town else _officer(town, Role.CAB_TOWN)


def village_officer(users: dict[str, User], village: Region) -> User:
    return users["cab_village"] if users["cab_village"].region == village else _officer(village, Role.CAB_VILLAGE)


@transaction.atomic
def load_review_cases(*, users: dict[str, User]) -> dict[str, int]:
    """Move the demo's review cases along, one step a day for all of them (the city dispatches,
    the towns hand over, the villages verify, the city decides); return the number per state.
    The cases left waiting are overdue by now: their deadlines passed in the summer of 2023."""
    categories = list(EligibilityCategory.objects.filter(is_active=True))
    city = users["cab_city"]
    in_village = in_town = 0
    planned = []
    for index, case in enumerate(ReviewCase.objects.select_related("person", "region", "region__parent")
                                 .order_by("id")):
        if case.region == users["cab_village"].region:
            plan, in_village = DEMO_VILLAGE_PLAN[in_village % len(DEMO_VILLAGE_PLAN)], in_village + 1
        elif users["cab_town"].region.contains(case.region):
            plan, in_town = DEMO_TOWN_PLAN[in_town % len(DEMO_TOWN_PLAN)], in_town + 1
        else:
            plan = PLAN[index % len(PLAN)]
        planned.append([index, case, plan])
    with on(STEP_DAYS[1]):
        for item in planned:
            if STEPS[item[2]] >= 1:
                item[1] = review.review_case_dispatch(case=item[1], acting_user=city)
    with on(STEP_DAYS[2]):
        for item in planned:
            if STEPS[item[2]] >= 2:
                case = item[1]
                town = case.region if case.region.level == Region.Level.TOWN else case.region.parent
                village = None
                if case.region.level == Region.Level.TOWN:
                    village = Region.objects.filter(parent=town, level=Region.Level.VILLAGE).order_by("code").first()
                item[1] = review.review_case_assign(case=case, acting_user=town_officer(users, town), village=village)
    with on(STEP_DAYS[3]):
        for item in planned:
            index, case, plan = item
            if STEPS[plan] >= 3:
                verifier = village_officer(users, case.region)
                item[1] = review.review_case_verify(
                    case=case, acting_user=verifier, household=_household(case, index),
                    household_income=Decimal(12000 + 9000 * (index % 4)), visited_on=timezone.localdate(),
                    housing="自建房，年久失修" if index % 2 else "租住公房", assets="无机动车，无商业用房",
                    notes="长期住院治疗，家庭主要劳动力丧失劳动能力" if index % 3 else "恶性肿瘤放化疗，自付费用高")
    with on(STEP_DAYS[4]):
        for index, case, plan in planned:
            if plan == State.RETURNED:
                review.review_case_return(case=case, acting_user=city, reason="请补充核实子女的工资收入证明")
            elif plan == State.ELIGIBLE:
                review.review_case_determine(case=case, acting_user=city, eligible=True,
                                             category=categories[index % len(categories)])
            elif plan == State.NOT_ELIGIBLE:
                review.review_case_determine(case=case, acting_user=city, eligible=False,
                                             reason="家庭年人均收入高于低保边缘家庭标准")
    counts = dict.fromkeys(State.values, 0)
    for state in ReviewCase.objects.values_list("state", flat=True):
        counts[state] += 1
    return counts


# A one-page PDF (blank): what a scanner writes, at its smallest.
DEMO_SCAN = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
             b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
BANKS = ["浙江瑞安农村商业银行", "中国农业银行瑞安支行", "中国工商银行瑞安支行"]
# SMS notices: every family consents but one; another stops its notices from its progress page.
NO_NOTICES_INDEX, OPTED_OUT_INDEX = 5, 6


def _apply(clerk: User, person, region: Region, index: int, *, extra_cost: bool = False, year: int = 2022):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from assistance.applications.services import application_submit

    account = f"62284800{index:03d}{person.resident_id[-8:-1]}"
    extra = [{"institution": "上海交通大学医学院附属瑞金医院", "invoice_number": f"3100002201{index:03d}",
              "paid_on": dt.date(year, 3 + index % 9, 8), "amount": Decimal("8600.00") + index}] if extra_cost else []
    return application_submit(
        acting_user=clerk, resident_id=person.resident_id, name=person.name, region=region, year=year,
        phone=f"138{index:04d}{person.resident_id[-5:-1]}", account_holder=person.name,
        bank_name=BANKS[index % len(BANKS)], account_number=account,
        members=[{"name": person.name, "relation": "本人"}], extra_costs=extra, notice_consent=index != NO_NOTICES_INDEX,
        documents=[("id_card", SimpleUploadedFile("身份证.pdf", DEMO_SCAN)),
                   ("invoice", SimpleUploadedFile("医疗费用发票.pdf", DEMO_SCAN))])


@transaction.atomic
def load_applications(*, users: dict[str, User]) -> dict[str, int]:
    """Families apply through the Red Cross clerk (`clerk`): some already found eligible (ready for
    costing), some still under review, one not on the warning list (a review case of its own), and
    one found not eligible after applying. Returns the number of applications per state."""
    from assistance.models import Application, InsuredPerson
    from fundportal.identifiers import validate_resident_id

    from assistance.applications.services import application_notice_opt_out

    clerk, city = users["clerk"], users["cab_city"]
    cases = ReviewCase.objects.select_related("person", "region").order_by("id")
    index, opted_out = 0, None
    # The demo village's eligible family applies first (it is paid, and followed up in 2024 by cab_village).
    own_first = Case(When(region=users["cab_village"].region, then=0), default=1)
    with on(APPLIED_ON):
        for case in cases.filter(state=State.ELIGIBLE).order_by(own_first, "id")[:4]:
            _apply(clerk, case.person, case.region, index := index + 1, extra_cost=index % 2 == 0)
        for case in cases.filter(state__in=[State.AT_VILLAGE, State.FIRST_SCREENING, State.RETURNED])[:3]:
            application = _apply(clerk, case.person, case.region, index := index + 1)
            if index == OPTED_OUT_INDEX:
                opted_out = application
        verified = cases.filter(state=State.VERIFIED)  # the demo village's, so its officer re-verifies after 复核
        decided_later = verified.filter(region=users["cab_village"].region).first() or verified.first()
        if decided_later is not None:
            _apply(clerk, decided_later.person, decided_later.region, index := index + 1)
        village = users["cab_village"].region
        body = "33038119630417152"  # someone the MSB's 2022 data never saw (treated out of province)
        newcomer = InsuredPerson(resident_id=validate_resident_id(body + _check_character(body)), name="陈阿妹")
        _apply(clerk, newcomer, village, index + 1, extra_cost=True)
    if opted_out is not None:
        with on(APPLIED_ON + dt.timedelta(days=1), 20):
            application_notice_opt_out(application=opted_out, opt_out=True)
    if decided_later is not None:
        with on(DECIDED_LATER_ON):
            review.review_case_determine(case=decided_later, acting_user=city, eligible=False,
                                         reason="家庭年人均收入高于低保边缘家庭标准，且有商业用房出租")
    counts = dict.fromkeys(Application.State.values, 0)
    for state in Application.objects.values_list("state", flat=True):
        counts[state] += 1
    return counts


def _check_character(body: str) -> str:
    from stdnum.cn import ric

    return ric.calc_check_digit(body + "?")
