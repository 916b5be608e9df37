"""A family's review (复核) of its refusal: found not eligible on 2023-08-21 (its son's income was
counted), the family brings the household register to the Red Cross counter on 09-04 — the son
moved out in June; a second officer of the bureau, not the one who decided, checks the register and
reopens the case on 09-12. It goes back to the village for another visit: work waiting for
`cab_village`."""
import datetime as dt

from assistance.appeals.services import appeal_decide, appeal_file
from assistance.models import Appeal, Application
from fundportal.models import User

from .story import on

APPEALED_ON, REOPENED_ON = dt.date(2023, 9, 4), dt.date(2023, 9, 12)


def load_appeals(*, users: dict[str, User]) -> Appeal | None:
    refused = Application.objects.filter(state=Application.State.NOT_ELIGIBLE).order_by("submitted_at").first()
    if refused is None:
        return None
    with on(APPEALED_ON, 10):
        appeal = appeal_file(application=refused, acting_user=users["clerk"],
                             grounds="申请人之子已于2023年6月分户另居（附户口簿），认定时仍按原家庭计算了其收入，请求复核。")
    with on(REOPENED_ON, 15):
        return appeal_decide(appeal=appeal, acting_user=users["cab_review"], reopen=True,
                             reason="经核查户口簿，申请人之子已于6月分户，原认定按原家庭计算收入有误。撤销原认定，退回村（社区）重新甄别。")
