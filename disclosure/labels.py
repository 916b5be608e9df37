"""Published data in the reader's language. The published document keeps its labels in Chinese
(donor kinds, notes, eligibility categories); English pages translate them when they are shown.

Eligibility categories are rows (assistance.EligibilityCategory), editable, so their names are data
the source never mentions: the national categories a new installation starts with are marked here
for the catalogue, and have an English name of their own for when the catalogue has none yet. A
category renamed or added by the bureau is shown as it was published."""
import re

from django.utils.translation import get_language, gettext, gettext_noop

# The categories of assistance/review/defaults.py (低收入人口 categories of the national guidance).
STANDARD_CATEGORIES = {
    gettext_noop("特困人员"): "Persons in extreme poverty",
    gettext_noop("低保对象"): "Minimum living allowance recipients",
    gettext_noop("低保边缘家庭"): "Near-minimum-allowance households",
    gettext_noop("支出型困难家庭"): "Households in hardship from medical costs",
    gettext_noop("防止返贫监测对象"): "Monitored against relapse into poverty",
}


def shown(value: str) -> str:
    """A published label as the reader's language shows it (the catalogue first)."""
    if not value:
        return value
    translated = gettext(value)
    if translated == value and get_language().startswith("en"):
        return STANDARD_CATEGORIES.get(value, value)
    return translated


ANONYMOUS = "匿名"  # what a statement publishes for a gift given anonymously (disclosure/content.py)


def donor_shown(donor: str) -> str:
    """A published donor in the reader's language: the anonymous gift's 匿名 is a label (English:
    Anonymous); any other donor is a name, shown as published — never looked up in the catalogue,
    where a donor's name could happen to be a word."""
    return shown(donor) if donor == ANONYMOUS else donor


# The words of the statement section 公示及异议处理情况 (disclosure/publicity.py), marked for the
# catalogue, with an English wording of their own for as long as the catalogue has none.
PUBLICITY_LABELS = {
    gettext_noop("公示及异议处理情况"): "Public notices and objections",
    gettext_noop("本期列出公示期已届满、此前同类公示尚未列出的救助名单公示；异议件数为本公示生成时的情况，"
                 "只公布件数，不含异议人、被异议人的任何信息。"):
        "Listed: the public notices of approved assistance whose notice period had ended and that no earlier "
        "statement of this kind listed. Objections are counted as they stood when this statement was made; "
        "only numbers are published, nothing about who objected or whom an objection concerned.",
    gettext_noop("依据决议"): "Resolution",
    gettext_noop("公示期"): "Notice period",
    gettext_noop("公示名单（人）"): "Listed (people)",
    gettext_noop("收到异议"): "Objections received",
    gettext_noop("异议成立"): "Upheld",
    gettext_noop("异议不成立"): "Dismissed",
    gettext_noop("尚在办理"): "Open",
    gettext_noop("合计"): "Total",
    gettext_noop("本期无届满的公示"): "No notice period ended in this period",
}


# The words of a year statement's section 救助工作进度 (disclosure/funnel.py) and of the overview's
# funnel: pre-rendered pages keep the words they were published with, so each has an English
# wording of its own for as long as the catalogue has none.
FUNNEL_NOTE = gettext_noop(
    "人数：每一环节只计上一环节中的人。筛查预警：该年度医疗费用筛查出的预警对象；推送民政：预警名单已推送民政部门的；"
    "完成甄别：已入户核查甄别的；认定符合：认定为低收入家庭的；已申请：已向红十字会提出救助申请的；"
    "已批准：经理事会决议批准救助的；已发放：救助金已到账的；应助未助：认定符合但尚未申请的。"
    "按户籍所在乡镇（街道）统计，预警对象不足 5 人的乡镇合并列示。统计至本公示发布时。")
FUNNEL_HIDDEN_NOTE = gettext_noop("* 表示不足 5 人，或可据合计推算出不足 5 人的数字，为保护个人隐私不予公布。")
FUNNEL_LABELS = {
    gettext_noop("救助工作进度"): "Progress of assistance",
    gettext_noop("%(year)s年救助工作进度（%(cost_year)s年度医疗费用）"):
        "Assistance in %(year)s, stage by stage (medical costs of %(cost_year)s)",
    gettext_noop("筛查预警"): "Flagged by screening",
    gettext_noop("推送民政"): "Shared with civil affairs",
    gettext_noop("完成甄别"): "Verified",
    gettext_noop("认定符合"): "Found eligible",
    gettext_noop("已申请"): "Applied",
    gettext_noop("已批准"): "Approved",
    gettext_noop("已发放"): "Paid",
    gettext_noop("应助未助"): "Eligible, not applied",
    gettext_noop("其他乡镇（合并）"): "Other towns (combined)",
    gettext_noop("乡镇（街道）"): "Town/subdistrict",
    gettext_noop("本年度尚无救助工作数据"): "No assistance work recorded for this year yet",
    FUNNEL_NOTE:
        "People; each stage counts people of the stage before. Flagged by screening: on the warning list from "
        "that year's medical costs; shared with civil affairs: on a list shared with the civil affairs bureau; "
        "verified: their household visited and verified; found eligible: found to be a low-income household; "
        "applied: applied to the Red Cross; approved: approved by a council resolution; paid: the money "
        "reached them; eligible, not applied: found eligible but not yet applied. By the town/subdistrict of "
        "household registration; towns with fewer than 5 people flagged are combined. Counted at publication.",
    FUNNEL_HIDDEN_NOTE: "* A number under 5, or one from which such a number could be worked out from the "
                        "totals: not published, to protect privacy.",
    gettext_noop("据第%(sequence)s号公示《%(title)s》"): "From statement No. %(sequence)s, %(title)s",
}
from .annual.labels import ANNUAL_LABELS  # noqa: E402 (the annual report's words: disclosure/annual/)

LABELS = {**PUBLICITY_LABELS, **FUNNEL_LABELS, **ANNUAL_LABELS}


def label_shown(value: str) -> str:
    """A word of the statement pages in the reader's language: the catalogue first, else the
    English wording above (Chinese pages: the word itself)."""
    translated = gettext(value)
    if translated == value and get_language().startswith("en"):
        return LABELS.get(value, value)
    return translated


RESOLUTION_NUMBER = re.compile(r"(?P<year>[0-9]{4})-第(?P<sequence>[0-9]+)号")


def resolution_shown(number: str) -> str:
    """A council resolution's number as published (2023-第3号) in the reader's language."""
    match = RESOLUTION_NUMBER.fullmatch(number)
    if match is None or not get_language().startswith("en"):
        return number
    wording = gettext_noop("%(year)s-第%(sequence)s号")
    translated = gettext(wording)
    return (translated if translated != wording else "No. %(sequence)s of %(year)s") % match.groupdict()
