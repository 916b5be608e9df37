"""The 公示 of the council's first list (2023-09-15 to 09-21, posted by the signing): a neighbour
objects online that a family in the demo village has just bought a car, a villager phones the Red
Cross that another family's son runs a business; each village's officer visits, each town's
officer decides — the first objection dismissed (the car is the son-in-law's), the second upheld
and that payment stopped. Everything through the services, on the days it happens."""
import datetime as dt

from assistance.models import Objection, Resolution
from assistance.publicity.services import (objection_decide, objection_investigate, objection_record,
                                           objection_submit_online)
from fundportal.models import User

from .review import town_officer, village_officer
from .story import on

OBJECTED_ONLINE_ON, OBJECTED_BY_PHONE_ON = dt.date(2023, 9, 18), dt.date(2023, 9, 19)
VISITED_ON, DECIDED_ON = dt.date(2023, 9, 20), dt.date(2023, 9, 22)


def load_publicity(*, users: dict[str, User], resolution: Resolution) -> list[Objection]:
    clerk = users["clerk"]
    entries = resolution.publicity.entries.select_related("region__parent").order_by("line")
    in_demo_village = [entry for entry in entries if entry.region == users["cab_village"].region]
    car = in_demo_village[0] if in_demo_village else entries[0]  # the demo's own officers handle this one
    business = next(entry for entry in entries if entry != car)
    with on(OBJECTED_ONLINE_ON, 20, 15):
        first = objection_submit_online(entry=car, content="该户今年新买了一辆小轿车，停在村口，家庭条件不像困难户。",
                                        objector_name="", contact="")
    with on(OBJECTED_BY_PHONE_ON, 10, 30):
        second = objection_record(entry=business, channel=Objection.Channel.PHONE, received_on=OBJECTED_BY_PHONE_ON,
                                  content="来电反映：该户儿子在镇上经营一家五金店，收入较高，家庭并不困难。",
                                  objector_name="匿名村民", contact="", acting_user=clerk)
    with on(VISITED_ON, 15):
        # The officer of the entry's village visits; an officer of another area could not.
        objection_investigate(objection=first, acting_user=village_officer(users, car.region), visited_on=VISITED_ON,
                              investigation="入户核实：车辆登记在女婿名下，女婿另有住所，不属本户家庭财产。")
        objection_investigate(objection=second, acting_user=village_officer(users, business.region),
                              visited_on=VISITED_ON,
                              investigation="入户及走访市场监管所：五金店经营者为申请人之子，与申请人共同生活，年经营收入约30万元。")
    with on(DECIDED_ON, 16):
        objection_decide(objection=first, acting_user=town_officer(users, car.region.parent), upheld=False,
                         reason="经入户核实，车辆属女婿所有，不计入本户家庭财产，原公示结果不变。")
        objection_decide(objection=second, acting_user=town_officer(users, business.region.parent), upheld=True,
                         reason="经核实，申请人之子共同生活且有稳定经营收入，家庭收入超过认定标准，停止发放本次救助金。")
    return list(Objection.objects.filter(pk__in=[first.pk, second.pk]).order_by("number"))
