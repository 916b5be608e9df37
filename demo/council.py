"""The council's year in the demo: the 2022 scheme approved, the ready applications approved with
their amounts, a batch paid through the bank with one payment failed and re-issued to the
corrected account. Everything goes through the services, with four different people touching
each case (clerk enters, council signs, finance prepares, cashier confirms)."""
import csv
import datetime as dt
import io
from decimal import Decimal

from django.db.models import Sum
from assistance.council.services import (meeting_record, resolution_draft_payouts, resolution_draft_scheme,
                                         resolution_sign)
from assistance.models import Application, CouncilMember, EligibilityCategory, Payout, Resolution
from assistance.payouts.bank_results import bank_result_apply, bank_result_import
from assistance.payouts.services import batch_export, payout_batch_create, payout_reissue
from assistance.council.schemes import scheme_create
from fundportal.models import User

from .publicity import load_publicity
from .story import on

YEAR = 2022
D = Decimal
# The council's autumn: the scheme drafted, the meeting that signs it and the first list, the batch
# sent to the bank, its result, the failed payment re-issued to the corrected account and paid.
SCHEME_DRAFTED_ON, MEETING_ON = dt.date(2023, 9, 8), dt.date(2023, 9, 15)
# The 公示 runs 09-15 to 09-21 (demo/publicity.py): the batch is made on the Monday after.
BATCH_ON, PAID_ON = dt.date(2023, 9, 25), dt.date(2023, 9, 27)
REISSUED_ON, REPAID_ON = dt.date(2023, 10, 9), dt.date(2023, 10, 12)
# How to apply, approved with the scheme and published from it (/disclosure/scheme/): one list of
# documents (一次告知), the Red Cross's desks in every town, the autumn of 2023 for 2022's costs.
HOW_TO_APPLY = {
    "who_may_apply": "同时符合以下条件的家庭可以申请：\n"
                     "1. 本市户籍，参加本市基本医疗保险；\n"
                     "2. 上一年度（2022年）在医保结算的个人自付医疗费用累计达到5万元及以上；\n"
                     "3. 经民政部门认定为低收入家庭（特困人员、低保对象、低保边缘家庭或支出型困难家庭）。\n"
                     "在预警名单上的家庭由村（社区）上门告知；不在名单上的家庭也可以自行申请，由民政部门认定。",
    "documents": "申请人身份证（原件及复印件）\n户口簿（原件及复印件）\n申请人本人的银行卡或存折\n"
                 "医疗费用发票及费用清单\n外省就医的出院小结或门诊病历\n"
                 "委托他人代办的，代办人身份证及申请人签字的委托书",
    "where_to_apply": "各乡镇（街道）红十字会受理点（设在乡镇人民政府、街道办事处便民服务中心），"
                      "工作日上午8:30—11:30、下午2:00—5:00；行动不便的，可由村（社区）代为递交。",
    "apply_from": dt.date(2023, 8, 1), "apply_until": dt.date(2023, 12, 31),
    "enquiry_phone": "0577-65812345（市红十字会）",
}
REPRESENTATIVES = {"市医疗保障局": "王建国", "市民政局": "林晓红", "市红十字会": "周海燕", "市慈善总会": "李国强"}


def _rules() -> list[dict]:
    by_name = {category.name: category for category in EligibilityCategory.objects.all()}
    strong = {"deductible": D("5000"), "bands": [(0, 50000, D("0.70")), (50000, None, D("0.80"))]}
    edge = {"deductible": D("10000"), "bands": [(0, 50000, D("0.60")), (50000, None, D("0.70"))]}
    return [{"category": by_name["特困人员"], **strong}, {"category": by_name["低保对象"], **strong},
            {"category": by_name["低保边缘家庭"], **edge}, {"category": by_name["支出型困难家庭"], **edge},
            {"category": None, "deductible": D("15000"), "bands": [(0, None, D("0.50"))]}]


def _bank_file(payouts, *, failed: dict[str, str], day: dt.date) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["参考号", "金额", "结果", "说明", "交易日期"])
    for payout in payouts:
        message = failed.get(payout.reference, "")
        writer.writerow([payout.reference, f"{payout.amount:.2f}", "失败" if message else "成功", message,
                         f"{day:%Y-%m-%d}"])
    return out.getvalue().encode("utf-8")


def _reconcile(batch, content: bytes, name: str, cashier: User) -> None:
    result = bank_result_import(batch=batch, content=content, file_name=name, acting_user=cashier)
    # Applied here as the task would (its queueing waits for a commit the demo's tests never make);
    # applying twice changes nothing, so the task finding the lines done is harmless.
    bank_result_apply(result_id=result.pk)


def load_council(*, users: dict[str, User]) -> dict:
    secretary, finance, cashier = users["council"], users["finance"], users["cashier"]
    with on(SCHEME_DRAFTED_ON):
        scheme = scheme_create(acting_user=secretary, year=YEAR, name="慈善医疗救助方案", annual_cap=D("100000"),
                               rules=_rules(), notes="依据《瑞安市慈善医疗救助共富基金管理办法》制定", **HOW_TO_APPLY)
    members = {member.name: member for member in CouncilMember.objects.all()}
    with on(MEETING_ON, 14, 30):
        meeting = meeting_record(
            acting_user=secretary, held_on=MEETING_ON, title="2023年第三次理事会", place="市慈善总会三楼会议室",
            agenda="一、审议2022年度慈善医疗救助方案；二、审议2022年度第一批救助名单及金额",
            minutes="会议由市慈善总会主持，四家成员单位出席，市总工会请假。会议审议通过了救助方案和第一批救助名单。",
            attendance=[(members[name], person) for name, person in REPRESENTATIVES.items()])
        resolution_sign(resolution=resolution_draft_scheme(meeting=meeting, scheme=scheme, acting_user=secretary),
                        acting_user=secretary)
        scheme.refresh_from_db()
        # The earliest ready applications; the last one waits for the next meeting (to try it out).
        ready = list(Application.objects.filter(year=YEAR, state=Application.State.READY)
                     .order_by("submitted_at", "id"))
        payouts_resolution = resolution_sign(acting_user=secretary, resolution=resolution_draft_payouts(
            meeting=meeting, scheme=scheme, acting_user=secretary, applications=ready[:-1],
            text="同意下列家庭的救助金额，由市慈善总会拨付。"))

    objections = load_publicity(users=users, resolution=payouts_resolution)
    with on(BATCH_ON):
        batch = payout_batch_create(resolution=payouts_resolution, acting_user=finance)
        batch_export(batch=batch, acting_user=finance, file_format="xlsx")
    sent = list(batch.payouts.order_by("id"))
    failing = sent[0]
    with on(PAID_ON, 16):
        _reconcile(batch, _bank_file(sent, failed={failing.reference: "户名与账号不符"}, day=PAID_ON),
                   "农商银行回单-第1批.csv", cashier)
    failing.refresh_from_db()
    with on(REISSUED_ON):
        reissue = payout_reissue(payout=failing, acting_user=finance, account_holder=failing.account_holder,
                                 bank_name="浙江瑞安农村商业银行塘下支行", account_number=failing.account_number[:-1] + "8")
        batch_export(batch=reissue.batch, acting_user=finance, file_format="xlsx")
    with on(REPAID_ON, 16):
        _reconcile(reissue.batch, _bank_file([reissue], failed={}, day=REPAID_ON), "农商银行回单-重新支付.csv",
                   cashier)
    paid = Payout.objects.filter(state=Payout.State.PAID)
    return {"resolutions": Resolution.objects.filter(signed_at__isnull=False).count(), "paid": paid.count(),
            "objections": objections,
            "paid_total": paid.aggregate(total=Sum("amount"))["total"] or D("0")}
