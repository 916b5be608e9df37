"""One demo user per role. The passwords are public on purpose: this is a demo, never production."""
from dataclasses import dataclass

from django.contrib.auth.models import Group

from fundportal.models import Region, User
from fundportal.roles import Role

from .regions import CITY_NAME, DEMO_TOWN, DEMO_VILLAGE, region_named


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: Role
    password: str
    display_name: str  # goes into first_name; the admin greets users by it
    organisation: str
    region: str | None = None  # "city", "town" or "village": where an area-scoped officer works
    superuser: bool = False


DEMO_USERS: list[DemoUser] = [
    DemoUser("msb", Role.MSB_STAFF, "demo-msb-2023", "医保局 王科长", "瑞安市医疗保障局"),
    DemoUser("cab_city", Role.CAB_CITY, "demo-cab-city-2023", "民政局 林科长", "瑞安市民政局", region="city"),
    # A second officer of the bureau: reviews (复核) what 林科长 decided — never their own decision.
    DemoUser("cab_review", Role.CAB_CITY, "demo-cab-review-2023", "民政局 许科长（复核）", "瑞安市民政局",
             region="city"),
    DemoUser("cab_town", Role.CAB_TOWN, "demo-cab-town-2023", "塘下镇民政 陈办事员", "瑞安市塘下镇人民政府",
             region="town"),
    DemoUser("cab_village", Role.CAB_VILLAGE, "demo-cab-village-2023", "韩田村 黄委员",
             "瑞安市塘下镇韩田村村民委员会", region="village"),
    DemoUser("clerk", Role.REDCROSS_CLERK, "demo-clerk-2023", "红十字会 周录入员", "瑞安市红十字会"),
    DemoUser("council", Role.COUNCIL_SECRETARY, "demo-council-2023", "理事会 郑秘书",
             "瑞安市慈善医疗救助共富基金理事会"),
    DemoUser("finance", Role.CHARITY_FINANCE, "demo-finance-2023", "慈善总会 李会计", "瑞安市慈善总会"),
    DemoUser("cashier", Role.CHARITY_FINANCE, "demo-cashier-2023", "慈善总会 赵出纳", "瑞安市慈善总会"),
    DemoUser("auditor", Role.AUDITOR, "demo-auditor-2023", "审计局 吴审计员", "瑞安市审计局"),
    DemoUser("admin", Role.ADMINISTRATOR, "demo-admin-2023", "系统管理员", "瑞安市医疗保障局信息科",
             superuser=True),
]

# The user whose existence means "the demo is already loaded".
MARKER_USERNAME = "finance"


def _region_for(key: str | None) -> Region | None:
    if key == "city":
        return region_named(CITY_NAME)
    if key == "town":
        return region_named(DEMO_TOWN)
    if key == "village":
        return region_named(DEMO_VILLAGE, parent_name=DEMO_TOWN)
    return None


def load_users() -> dict[str, User]:
    """Create the demo users (regions must exist). Returns them by username."""
    users = {}
    for spec in DEMO_USERS:
        user = User(
            username=spec.username, first_name=spec.display_name, organisation=spec.organisation,
            region=_region_for(spec.region), is_staff=True, is_superuser=spec.superuser,
        )
        user.set_password(spec.password)
        user.save()
        user.groups.add(Group.objects.get(name=spec.role))
        users[spec.username] = user
    return users


def user_table_rows() -> list[tuple[str, str, str, str]]:
    """(username, role, password, region) for each demo user, as the command prints them."""
    regions = dict(User.objects.filter(username__in=[u.username for u in DEMO_USERS])
                   .values_list("username", "region__name"))
    return [(u.username, u.role.value, u.password, regions.get(u.username) or "—") for u in DEMO_USERS]
