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
from django.utils import timezone

from assistance import review
from assistance.models import EligibilityCategory, ReviewCase
from fundportal.models import Region, User
from fundportal.roles import Role

State = ReviewCase.State
# The state each case is left in, in turn: every state appears, in several towns. The demo
# village's cases wait for its officer (cab_village); the demo town's for cab_town and cab_city.
PLAN = [State.FIRST_SCREENING, State.AT_TOWN, State.AT_VILLAGE, State.VERIFIED, State.RETURNED, State.ELIGIBLE,
        State.NOT_ELIGIBLE, State.ELIGIBLE]
DEMO_VILLAGE_PLAN = [State.AT_VILLAGE, State.RETURNED, State.AT_VILLAGE, State.VERIFIED, State.ELIGIBLE]
DEMO_TOWN_PLAN = [State.AT_TOWN, State.VERIFIED, State.FIRST_SCREENING, State.NOT_ELIGIBLE]
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


def _town_officer(users: dict[str, User], town: Region) -> User:
    return users["cab_town"] if users["cab_town"].region == town else _officer(town, Role.CAB_TOWN)


def _village_officer(users: dict[str, User], village: Region) -> User:
    return users["cab_village"] if users["cab_village"].region == village else _officer(village, Role.CAB_VILLAGE)


@transaction.atomic
def load_review_cases(*, users: dict[str, User]) -> dict[str, int]:
    """Move the demo's review cases along; return the number of cases per state."""
    categories = list(EligibilityCategory.objects.filter(is_active=True))
    city = users["cab_city"]
    in_village = in_town = 0
    for index, case in enumerate(ReviewCase.objects.select_related("person", "region", "region__parent")
                                 .order_by("id")):
        if case.region == users["cab_village"].region:
            plan, in_village = DEMO_VILLAGE_PLAN[in_village % len(DEMO_VILLAGE_PLAN)], in_village + 1
        elif users["cab_town"].region.contains(case.region):
            plan, in_town = DEMO_TOWN_PLAN[in_town % len(DEMO_TOWN_PLAN)], in_town + 1
        else:
            plan = PLAN[index % len(PLAN)]
        steps = STEPS[plan]
        if steps >= 1:
            case = review.review_case_dispatch(case=case, acting_user=city)
        if steps >= 2:
            town = case.region if case.region.level == Region.Level.TOWN else case.region.parent
            village = None
            if case.region.level == Region.Level.TOWN:
                village = Region.objects.filter(parent=town, level=Region.Level.VILLAGE).order_by("code").first()
            case = review.review_case_assign(case=case, acting_user=_town_officer(users, town), village=village)
        if steps >= 3:
            verifier = _village_officer(users, case.region)
            case = review.review_case_verify(
                case=case, acting_user=verifier, household=_household(case, index),
                household_income=Decimal(12000 + 9000 * (index % 4)), visited_on=timezone.localdate(),
                housing="自建房，年久失修" if index % 2 else "租住公房", assets="无机动车，无商业用房",
                notes="长期住院治疗，家庭主要劳动力丧失劳动能力" if index % 3 else "恶性肿瘤放化疗，自付费用高")
        if plan == State.RETURNED:
            review.review_case_return(case=case, acting_user=city, reason="请补充核实子女的工资收入证明")
        elif plan == State.ELIGIBLE:
            review.review_case_determine(case=case, acting_user=city, eligible=True,
                                         category=categories[index % len(categories)])
        elif plan == State.NOT_ELIGIBLE:
            review.review_case_determine(case=case, acting_user=city, eligible=False,
                                         reason="家庭年人均收入高于低保边缘家庭标准")
    # The demo year's cases were opened weeks ago: some first screenings are past their deadline.
    overdue = ReviewCase.objects.filter(state=State.FIRST_SCREENING).order_by("id")[:3]
    ReviewCase.objects.filter(pk__in=[case.pk for case in overdue]).update(
        due_on=timezone.localdate() - dt.timedelta(days=4))
    counts = dict.fromkeys(State.values, 0)
    for state in ReviewCase.objects.values_list("state", flat=True):
        counts[state] += 1
    return counts
