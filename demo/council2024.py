"""The council's second year in the demo (2024, for 2023's costs): families found eligible in the
spring apply at the Red Cross, the scheme for 2023 is drafted and revised (version 2: a higher cap,
a better ratio for 支出型困难家庭), and the September meeting approves it and the year's first list;
after its 公示 the batch is paid. The year's statements (quarterly from 2024) and the 2024 year
statement continue the same hash chain."""
import datetime as dt
from decimal import Decimal

from django.db.models import Sum

from assistance.council.schemes import scheme_create
from assistance.council.services import meeting_record, resolution_draft_payouts, resolution_draft_scheme, resolution_sign
from assistance.models import CouncilMember, EligibilityCategory, Payout, ReviewCase
from assistance.payouts.services import batch_export, payout_batch_create
from disclosure.annual.services import annual_report_publish
from fundportal.models import User

from .council import HOW_TO_APPLY, REPRESENTATIVES, _bank_file, _reconcile
from .disclosure import load_statements
from .review import _apply
from .story import on

YEAR = 2023
D = Decimal
APPLIED_ON = dt.date(2024, 4, 8)
FIRST_DRAFT_ON, SECOND_DRAFT_ON, MEETING_ON = dt.date(2024, 8, 26), dt.date(2024, 9, 2), dt.date(2024, 9, 13)
BATCH_ON, PAID_ON = dt.date(2024, 9, 23), dt.date(2024, 9, 25)
GUIDE_2023 = {**HOW_TO_APPLY,
              "who_may_apply": HOW_TO_APPLY["who_may_apply"].replace("2022", "2023"),
              "apply_from": dt.date(2024, 4, 1), "apply_until": dt.date(2024, 12, 31)}
PUBLICATIONS = [
    ("quarter", dt.date(2024, 1, 1), dt.date(2024, 4, 10)),
    ("quarter", dt.date(2024, 4, 1), dt.date(2024, 7, 10)),
    ("quarter", dt.date(2024, 7, 1), dt.date(2024, 10, 15)),
    ("quarter", dt.date(2024, 10, 1), dt.date(2025, 1, 10)),
    ("year", dt.date(2024, 1, 1), dt.date(2025, 1, 17)),
]


def _rules(*, expense_ratio: Decimal) -> list[dict]:
    by_name = {category.name: category for category in EligibilityCategory.objects.all()}
    strong = {"deductible": D("5000"), "bands": [(0, 50000, D("0.70")), (50000, None, D("0.80"))]}
    edge = {"deductible": D("10000"), "bands": [(0, 50000, D("0.60")), (50000, None, D("0.70"))]}
    expense = {"deductible": D("10000"), "bands": [(0, 50000, expense_ratio), (50000, None, D("0.70"))]}
    return [{"category": by_name["特困人员"], **strong}, {"category": by_name["低保对象"], **strong},
            {"category": by_name["低保边缘家庭"], **edge}, {"category": by_name["支出型困难家庭"], **expense},
            {"category": None, "deductible": D("15000"), "bands": [(0, None, D("0.50"))]}]


def load_applications_2024(*, users: dict[str, User]) -> int:
    """The families found eligible in March apply (not the demo village's: still under review)."""
    eligible = (ReviewCase.objects.filter(year=YEAR, state=ReviewCase.State.ELIGIBLE, applications__isnull=True)
                .select_related("person", "region").order_by("pk"))
    count = 0
    with on(APPLIED_ON, 10):
        for index, case in enumerate(eligible[:4]):
            _apply(users["clerk"], case.person, case.region, 40 + index, extra_cost=index == 0, year=YEAR)
            count += 1
    return count


def load_council_2024(*, users: dict[str, User]) -> dict:
    secretary, finance, cashier = users["council"], users["finance"], users["cashier"]
    with on(FIRST_DRAFT_ON):
        scheme_create(acting_user=secretary, year=YEAR, name="慈善医疗救助方案（2023年度费用）", annual_cap=D("100000"),
                      rules=_rules(expense_ratio=D("0.60")), notes="征求成员单位意见稿", **GUIDE_2023)
    with on(SECOND_DRAFT_ON):
        scheme = scheme_create(acting_user=secretary, year=YEAR, name="慈善医疗救助方案（2023年度费用）",
                               annual_cap=D("120000"), rules=_rules(expense_ratio=D("0.65")),
                               notes="根据成员单位意见修改：年度限额提高至12万元，支出型困难家庭救助比例提高至65%", **GUIDE_2023)
    members = {member.name: member for member in CouncilMember.objects.all()}
    with on(MEETING_ON, 14, 30):
        meeting = meeting_record(
            acting_user=secretary, held_on=MEETING_ON, title="2024年第二次理事会", place="市慈善总会三楼会议室",
            agenda="一、审议2023年度慈善医疗救助方案（修改稿）；二、审议2023年度第一批救助名单及金额",
            minutes="四家成员单位出席。会议审议通过了修改后的救助方案（第2版）和第一批救助名单。",
            attendance=[(members[name], person) for name, person in REPRESENTATIVES.items()])
        resolution_sign(resolution=resolution_draft_scheme(meeting=meeting, scheme=scheme, acting_user=secretary),
                        acting_user=secretary)
        scheme.refresh_from_db()
        resolution = resolution_sign(acting_user=secretary, resolution=resolution_draft_payouts(
            meeting=meeting, scheme=scheme, acting_user=secretary, text="同意下列家庭的救助金额，由市慈善总会拨付。"))
    with on(BATCH_ON):  # the 公示 ran 09-13 to 09-19 without objection
        batch = payout_batch_create(resolution=resolution, acting_user=finance)
        batch_export(batch=batch, acting_user=finance, file_format="xlsx")
    with on(PAID_ON, 16):
        _reconcile(batch, _bank_file(list(batch.payouts.order_by("id")), failed={}, day=PAID_ON),
                   "农商银行回单-2024年第1批.csv", cashier)
    paid = Payout.objects.filter(state=Payout.State.PAID, application__year=YEAR)
    return {"scheme": scheme, "paid": paid.count(), "paid_total": paid.aggregate(t=Sum("amount"))["t"] or D("0")}


ANNUAL_REPORT_ON = dt.date(2025, 3, 20)  # well before the statutory 31 May


def load_statements_2024(*, users: dict[str, User]) -> int:
    """2024's quarters and year, then its annual report (年度工作报告及财务会计报告)."""
    count = load_statements(users=users, publications=PUBLICATIONS)
    with on(ANNUAL_REPORT_ON, 11):
        annual_report_publish(year=2024, acting_user=users["finance"])
    return count + 1
