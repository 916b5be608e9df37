"""Applications for assistance, entered by Red Cross clerks, with their documents.

One open application per person and year (a partial unique constraint). A submitted application
for someone not yet determined eligible joins (or opens) that person's review case; one already
eligible is ready for costing at once. Documents are scans kept in private storage and opened
only through a permission-checked view that logs each opening.
"""
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from fundportal.audit import history_user
from fundportal.masking import mask_name
from fundportal.models import Region
from fundportal.money import MoneyField
from fundportal.states import Moves
from fundportal.years import YearField

from ..intake.models import InsuredPerson
from ..review.models import ReviewCase


class Application(models.Model):
    class State(models.TextChoices):
        UNDER_REVIEW = "under_review", _("待民政认定")
        READY = "ready", _("待测算救助金额")
        NOT_ELIGIBLE = "not_eligible", _("不符合救助条件")
        WITHDRAWN = "withdrawn", _("已撤回")
        APPROVED = "approved", _("理事会已批准")
        REJECTED = "rejected", _("理事会不予救助")
        PAID = "paid", _("救助金已发放")

    # The only moves there are, through fundportal.states (assistance/applications/moves.py):
    # submitted under review, or ready at once when civil affairs already found the person
    # eligible; the review's decision makes it ready or not eligible; the council's signed
    # resolution approves, rejects or defers it (back to ready), and an amendment may change a
    # decision not yet paid; the bank's confirmation makes it paid, and returned money makes it
    # approved again (to be re-issued). A review (复核) reopens a refusal (back under review) or an
    # amount (back to costing). An application not yet decided is withdrawn (终止) when its
    # applicant dies or moves away (assistance/followup/stopping.py), with the reason.
    MOVES = Moves({
        State.UNDER_REVIEW: {State.READY, State.NOT_ELIGIBLE, State.WITHDRAWN},
        State.READY: {State.APPROVED, State.REJECTED, State.WITHDRAWN},
        State.NOT_ELIGIBLE: {State.UNDER_REVIEW},  # a review (复核) reopened the determination
        State.WITHDRAWN: set(),
        State.APPROVED: {State.READY, State.REJECTED, State.PAID},
        State.REJECTED: {State.READY, State.APPROVED},
        State.PAID: {State.APPROVED},
    }, names={State.UNDER_REVIEW: "重新转为待民政认定", State.READY: "转为待测算", State.NOT_ELIGIBLE: "记为不符合救助条件", State.APPROVED: "记为理事会已批准",
              State.REJECTED: "记为理事会不予救助", State.PAID: "记为救助金已发放",
              State.WITHDRAWN: "终止"},
        initial={State.UNDER_REVIEW, State.READY})

    # Decided applications are closed: later costs in the year are a new application, and the
    # scheme then pays what the year's costs entitle to, less what the year's decisions granted.
    CLOSED_STATES = [State.NOT_ELIGIBLE, State.WITHDRAWN, State.APPROVED, State.REJECTED, State.PAID]

    number = models.CharField(_("申请编号"), max_length=16, unique=True)
    # Printed on the slip with the number: the family's key to /progress/ (never shown to staff lists).
    lookup_code = models.CharField(_("查询码"), max_length=8)
    person = models.ForeignKey(InsuredPerson, verbose_name=_("申请人"), on_delete=models.PROTECT,
                               related_name="applications")
    year = YearField(_("费用年度"))
    region = models.ForeignKey(Region, verbose_name=_("户籍地"), on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.UNDER_REVIEW)
    review_case = models.ForeignKey(ReviewCase, verbose_name=_("资格审核"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="applications")
    phone = models.CharField(_("联系电话"), max_length=20)
    # Notices (SMS) go only with the applicant's consent, to the phone given for them.
    notice_consent = models.BooleanField(_("同意接收短信通知"), default=False)
    notice_phone = models.CharField(_("接收通知的手机号码"), max_length=20, blank=True,
                                    help_text=_("不填则用联系电话"))
    notice_opted_out_at = models.DateTimeField(_("退订短信时间"), null=True, blank=True)
    account_holder = models.CharField(_("收款人（户名）"), max_length=50)
    bank_name = models.CharField(_("开户银行"), max_length=60)
    account_number = models.CharField(_("银行账号"), max_length=32)
    # The MSB's figures for the year, as they stood when the application was entered.
    insured_total_cost = MoneyField(_("医保结算医疗总费用"), default=0)
    insured_fund_paid = MoneyField(_("医保基金支付"), default=0)
    insured_out_of_pocket = MoneyField(_("医保结算个人自付"), default=0)
    other_assistance = MoneyField(_("其他渠道已救助"), default=0,
                                  help_text=_("其他慈善或救助已支付的本年度医疗费用，测算时扣除"))
    notes = models.TextField(_("备注"), blank=True)
    withdrawn_reason = models.CharField(_("终止原因"), max_length=200, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("录入人"), on_delete=models.PROTECT,
                                   related_name="+")
    submitted_at = models.DateTimeField(_("受理时间"))

    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("救助申请")
        verbose_name_plural = _("救助申请")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["person", "year"], condition=Q(state__in=["under_review", "ready"]),
                                    name="application_one_open_per_person_year",
                                    violation_error_message=_("该申请人本年度已有未办结的申请，不能重复受理")),
        ]
        indexes = [models.Index(fields=["entered_by", "submitted_at"], name="application_clerk_idx")]

    def __str__(self):
        return self.number

    @property
    def extra_costs_total(self) -> Decimal:
        return sum((cost.amount for cost in self.extra_costs.all()), start=Decimal("0.00"))


class ApplicationMember(models.Model):
    """A household member as the family declared them."""

    application = models.ForeignKey(Application, verbose_name=_("申请"), on_delete=models.CASCADE,
                                    related_name="members")
    name = models.CharField(_("姓名"), max_length=50)
    relation = models.CharField(_("与申请人关系"), max_length=20)
    resident_id = models.CharField(_("身份证号码"), max_length=18, blank=True)

    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("申请家庭成员")
        verbose_name_plural = _("申请家庭成员")
        ordering = ["application", "id"]

    def __str__(self):
        return f"{mask_name(self.name)}（{self.relation}）"


class ExtraCost(models.Model):
    """A documented medical cost not in the MSB's data (an out-of-province hospital, say)."""

    application = models.ForeignKey(Application, verbose_name=_("申请"), on_delete=models.CASCADE,
                                    related_name="extra_costs")
    institution = models.CharField(_("医疗机构"), max_length=100)
    invoice_number = models.CharField(_("发票号码"), max_length=40)
    paid_on = models.DateField(_("发票日期"))
    amount = MoneyField(_("个人负担金额（元）"))

    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("其他医疗费用")
        verbose_name_plural = _("其他医疗费用")
        ordering = ["application", "paid_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="extra_cost_positive",
                                   violation_error_message=_("费用金额必须大于零")),
            # An invoice used once: the same number twice is a mistake or double reimbursement.
            models.UniqueConstraint(fields=["invoice_number"], name="extra_cost_invoice_unique",
                                    violation_error_message=_("发票号码已在其他申请中使用过：同一张发票不能重复申请")),
        ]

    def __str__(self):
        return f"{self.institution} {self.invoice_number}"


class ApplicationSequence(models.Model):
    """The last application number used in a year (locked while a number is taken: no gaps)."""

    year = models.PositiveSmallIntegerField(_("年度"), primary_key=True)
    last = models.PositiveIntegerField(_("已用的最后编号"), default=0)

    class Meta:
        verbose_name = _("申请编号序列")
        verbose_name_plural = _("申请编号序列")


def document_path(document, filename: str) -> str:
    # The stored name says nothing about the person: the original name is kept in the row.
    return f"applications/{document.application_id}/{document.sha256}"


class Document(models.Model):
    class Kind(models.TextChoices):
        ID_CARD = "id_card", _("身份证")
        HOUSEHOLD = "household", _("户口簿")
        INVOICE = "invoice", _("医疗费用发票")
        RECORD = "record", _("病历、出院小结")
        BANK = "bank", _("银行卡（存折）")
        OTHER = "other", _("其他材料")

    application = models.ForeignKey(Application, verbose_name=_("救助申请"), on_delete=models.CASCADE,
                                    related_name="documents")
    kind = models.CharField(_("材料类别"), max_length=12, choices=Kind.choices)
    file = models.FileField(_("文件"), upload_to=document_path)
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=40, help_text=_("按文件内容判定，不看扩展名"))
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.PROTECT,
                                    related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("申请材料")
        verbose_name_plural = _("申请材料")
        ordering = ["application", "id"]

    def __str__(self):
        return f"{self.get_kind_display()}：{self.original_name}"


class DocumentAccess(models.Model):
    """Each opening of a document: who, when."""

    document = models.ForeignKey(Document, verbose_name=_("申请材料"), on_delete=models.CASCADE,
                                 related_name="accesses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("查阅人"), on_delete=models.PROTECT,
                             related_name="+")
    opened_at = models.DateTimeField(_("查阅时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("材料查阅记录")
        verbose_name_plural = _("材料查阅记录")
        ordering = ["-opened_at"]
