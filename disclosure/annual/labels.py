"""The words of the annual report's page (and the calendar's public-facing titles), marked for the
catalogue, with an English wording of their own for as long as the catalogue has none
(disclosure/labels.py label_shown: the catalogue first)."""
from django.utils.translation import gettext_noop

NOTE = gettext_noop(
    "本报告只根据系统记录的数据生成：收支数字即基金账目（按业务日期），受助人数为年内救助金净到账的人数"
    "（被银行退回且未重新支付的不计），按户籍所在乡镇（街道）统计，受助不足 5 人的乡镇合并列示。"
    "报告不含任何受助人的姓名、身份证号码、电话、银行账号或病情。")
ADMIN_COSTS_NOTE = gettext_noop("账目中没有管理费用支出：基金不从善款中列支管理费用。")

ANNUAL_LABELS = {
    gettext_noop("年度报告"): "Annual report",
    gettext_noop("%(year)s年度工作报告及财务会计报告"): "Annual work report and financial report %(year)s",
    gettext_noop("年度工作报告"): "Work report",
    gettext_noop("财务会计报告"): "Financial report",
    gettext_noop("受助人数"): "People assisted",
    gettext_noop("救助金支付笔数"): "Payments",
    gettext_noop("人数"): "People",
    gettext_noop("金额（元）"): "Amount (yuan)",
    gettext_noop("认定类别"): "Category",
    gettext_noop("救助方案"): "Assistance scheme",
    gettext_noop("年末执行的救助方案"): "Scheme in force at the year's end",
    gettext_noop("本年度批准的方案版本"): "Scheme versions approved in the year",
    gettext_noop("方案"): "Scheme",
    gettext_noop("年度救助限额（元/人）"): "Annual cap per person (yuan)",
    gettext_noop("批准日期"): "Approved on",
    gettext_noop("批准决议"): "Resolution",
    gettext_noop("理事会"): "Council",
    gettext_noop("召开会议"): "Meetings held",
    gettext_noop("签署决议"): "Resolutions signed",
    gettext_noop("其中批准救助名单"): "of which approving assistance",
    gettext_noop("救助名单公示"): "Public notices of assistance",
    gettext_noop("公示期届满的公示"): "Notices whose period ended",
    gettext_noop("期初余额"): "Opening balance",
    gettext_noop("期末余额"): "Closing balance",
    gettext_noop("捐赠收入"): "Gifts received",
    gettext_noop("救助支出"): "Assistance paid",
    gettext_noop("管理费用"): "Administrative costs",
    gettext_noop("捐赠方类别"): "Donor kind",
    gettext_noop("笔数"): "Entries",
    gettext_noop("捐赠笔数"): "Gifts",
    gettext_noop("捐赠方数"): "Donors",
    gettext_noop("银行退回"): "Returned by the bank",
    gettext_noop("捐赠收据"): "Receipts",
    gettext_noop("开具"): "Issued",
    gettext_noop("其中作废"): "of which voided",
    gettext_noop("本年到期的认捐分期"): "Pledge instalments due in the year",
    gettext_noop("捐赠方"): "Donor",
    gettext_noop("期次"): "Instalment",
    gettext_noop("应到日期"): "Due on",
    gettext_noop("应到金额"): "Due",
    gettext_noop("年末已到账"): "Received by the year's end",
    gettext_noop("欠缴"): "Arrears",
    gettext_noop("年末认捐未到账"): "Pledges not yet received at the year's end",
    gettext_noop("签订日期"): "Signed on",
    gettext_noop("认捐总额"): "Pledged",
    gettext_noop("未到账"): "Outstanding",
    gettext_noop("无"): "None",
    gettext_noop("对应的年度收支公示"): "The year's statement",
    gettext_noop("第%(sequence)s号"): "No. %(sequence)s",
    gettext_noop("尚未发布"): "Not yet published",
    gettext_noop("期间"): "Period",
    gettext_noop("发布时间"): "Published",
    gettext_noop("上一份"): "Previous",
    gettext_noop("（第一份）"): "(the first)",
    gettext_noop("发布文本"): "Published text",
    gettext_noop("打印版 PDF"): "PDF to print",
    gettext_noop("本报告已发布更正说明："): "A correction notice was published for this report: ",
    gettext_noop("收支公示"): "Statements",
    NOTE: "Made only from the data the system recorded: income and spending are the fund's ledger (by business "
          "date); people assisted are those whose assistance reached them in the year (a payment returned by the "
          "bank and not paid again does not count), by the town/subdistrict of household registration; towns "
          "where fewer than 5 people were assisted are combined. The report holds no beneficiary's name, ID "
          "number, phone, bank account or illness.",
    ADMIN_COSTS_NOTE: "The ledger records no administrative costs: the fund pays none out of the gifts.",
}
