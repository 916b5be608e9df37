"""The income side: donors, campaigns, pledges, donations, receipts."""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from fundportal.audit import history_user
from fundportal.money import MoneyField, money_label
from fundportal.years import YearField


class Donor(models.Model):
    class Kind(models.TextChoices):
        ORGANISATION = "organisation", _("单位")
        INDIVIDUAL = "individual", _("个人")

    class OrgKind(models.TextChoices):
        BANK = "bank", _("银行")
        HOSPITAL = "hospital", _("医院")
        HEALTH_CENTRE = "health_centre", _("卫生院/社区卫生服务中心")
        PHARMACY = "pharmacy", _("药店/医药企业")
        CLINIC = "clinic", _("诊所")
        ASSOCIATION = "association", _("协会/社会团体")
        GOVERNMENT = "government", _("机关事业单位")
        COMPANY = "company", _("企业")
        OTHER = "other", _("其他")

    kind = models.CharField(_("捐赠方类型"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("名称/姓名"), max_length=100)
    org_kind = models.CharField(_("单位类别"), max_length=16, choices=OrgKind.choices, blank=True)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    resident_id = models.CharField(_("身份证号码"), max_length=18, blank=True)
    contact_person = models.CharField(_("联系人"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    notice_consent = models.BooleanField(_("同意接收短信通知"), default=False,
                                         help_text=_("收据开具、认捐到期等短信发往联系电话；未同意不发送"))
    address = models.CharField(_("地址"), max_length=200, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT,
                                   related_name="+")

    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("捐赠方")
        verbose_name_plural = _("捐赠方")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["uscc"], condition=~Q(uscc=""), name="donor_uscc_unique",
                                    violation_error_message=_("该统一社会信用代码已登记")),
            models.UniqueConstraint(fields=["resident_id"], condition=~Q(resident_id=""), name="donor_ric_unique",
                                    violation_error_message=_("该身份证号码已登记")),
            models.CheckConstraint(
                condition=Q(kind="individual", uscc="", org_kind="") | Q(kind="organisation", resident_id="")
                & ~Q(uscc="") & ~Q(org_kind=""),
                name="donor_kind_fields",
                violation_error_message=_("单位须填写统一社会信用代码和单位类别；个人不填这两项"),
            ),
        ]
        indexes = [models.Index(fields=["name"], name="donor_name_idx")]

    def __str__(self):
        return self.name


class Campaign(models.Model):
    name = models.CharField(_("活动名称"), max_length=100, unique=True)
    description = models.TextField(_("说明"), blank=True)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"), null=True, blank=True)

    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("募捐活动")
        verbose_name_plural = _("募捐活动")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                                   name="campaign_dates_ordered",
                                   violation_error_message=_("结束日期不能早于开始日期")),
        ]

    def __str__(self):
        return self.name


class Pledge(models.Model):
    """A promise to give. Never income: only the donations matched to its instalments are."""

    donor = models.ForeignKey(Donor, verbose_name=_("捐赠方"), on_delete=models.PROTECT, related_name="pledges")
    campaign = models.ForeignKey(Campaign, verbose_name=_("募捐活动"), null=True, blank=True, on_delete=models.PROTECT)
    total = MoneyField(_("认捐总额"))
    signed_on = models.DateField(_("签订日期"))
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT,
                                   related_name="+")

    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("认捐协议")
        verbose_name_plural = _("认捐协议")
        ordering = ["-signed_on"]
        constraints = [models.CheckConstraint(condition=Q(total__gt=0), name="pledge_total_positive",
                                              violation_error_message=_("认捐总额必须大于零"))]

    def __str__(self):
        return f"{self.donor} 认捐 {money_label(self.total)}"


class PledgeInstalment(models.Model):
    pledge = models.ForeignKey(Pledge, verbose_name=_("认捐协议"), on_delete=models.PROTECT, related_name="instalments")
    sequence = models.PositiveSmallIntegerField(_("期次"))
    due_on = models.DateField(_("应到日期"))
    amount = MoneyField(_("应到金额"))

    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("认捐分期")
        verbose_name_plural = _("认捐分期")
        ordering = ["pledge", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["pledge", "sequence"], name="instalment_sequence_unique",
                                    violation_error_message=_("同一认捐的分期序号不能重复")),
            models.CheckConstraint(condition=Q(amount__gt=0), name="instalment_amount_positive",
                                   violation_error_message=_("每期金额必须大于零")),
        ]

    def __str__(self):
        return f"{self.pledge.donor} 第{self.sequence}期 {money_label(self.amount)}"


class Donation(models.Model):
    """Money that has arrived. Recording one posts income to the ledger and issues a receipt."""

    class Channel(models.TextChoices):
        BANK_TRANSFER = "bank_transfer", _("银行转账")
        CASH = "cash", _("现金")
        ONLINE = "online", _("网络支付")

    class Status(models.TextChoices):
        RECEIVED = "received", _("已到账")
        CANCELLED = "cancelled", _("已撤销")

    donor = models.ForeignKey(Donor, verbose_name=_("捐赠方"), null=True, blank=True, on_delete=models.PROTECT,
                              related_name="donations", help_text=_("不知道捐赠方时留空，并勾选“匿名”"))
    is_anonymous = models.BooleanField(_("匿名"), default=False, help_text=_("公示时不显示捐赠方名称"))
    amount = MoneyField(_("金额（元）"))
    received_on = models.DateField(_("到账日期"))
    channel = models.CharField(_("捐赠方式"), max_length=16, choices=Channel.choices)
    bank_reference = models.CharField(_("银行流水号"), max_length=64, blank=True)
    campaign = models.ForeignKey(Campaign, verbose_name=_("募捐活动"), null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="donations")
    giver_count = models.PositiveIntegerField(_("捐赠人数"), default=1,
                                              help_text=_("集体捐赠时填写参与人数，如全院职工 3000 人"))
    instalment = models.ForeignKey(PledgeInstalment, verbose_name=_("对应认捐分期"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="donations")
    note = models.CharField(_("备注"), max_length=200, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.RECEIVED)
    cancel_reason = models.CharField(_("撤销原因"), max_length=200, blank=True)
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT,
                                    related_name="+")
    # One per form submission or API request: a double click or a retry finds the first donation.
    # Scoped to the user who sent it (like Stripe's keys): another user's key is another request.
    idempotency_key = models.UUIDField(_("提交标识"), null=True, blank=True, editable=False)
    # What the request asked for (a hash of its fields): the same key with other fields is a conflict.
    request_fingerprint = models.CharField(_("提交内容摘要"), max_length=64, blank=True, editable=False)

    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("捐赠")
        verbose_name_plural = _("捐赠")
        ordering = ["-received_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="donation_amount_positive",
                                   violation_error_message=_("捐赠金额必须大于零")),
            models.CheckConstraint(condition=Q(giver_count__gte=1), name="donation_giver_count_positive",
                                   violation_error_message=_("捐赠人数至少为 1")),
            models.CheckConstraint(condition=Q(donor__isnull=False) | Q(is_anonymous=True),
                                   name="donation_unknown_donor_is_anonymous",
                                   violation_error_message=_("未选择捐赠方时须标记为匿名捐赠")),
            # One bank transfer is one donation: the same reference twice is a double entry.
            models.UniqueConstraint(fields=["bank_reference"], condition=~Q(bank_reference=""),
                                    name="donation_bank_reference_unique",
                                    violation_error_message=_("该银行流水号已登记过")),
            models.UniqueConstraint(fields=["recorded_by", "idempotency_key"],
                                    condition=Q(idempotency_key__isnull=False),
                                    name="donation_idempotency_key_per_user",
                                    violation_error_message=_("该提交已处理过，请勿重复提交")),
        ]
        indexes = [models.Index(fields=["received_on"], name="donation_received_idx")]

    def __str__(self):
        return f"{self.donor_display} {money_label(self.amount)} ({self.received_on})"

    @property
    def donor_display(self) -> str:
        return self.donor.name if self.donor else "匿名捐赠人"

    def valid_receipt_number(self) -> str:
        """The number of its valid receipt ("" once voided); uses prefetched receipts when present."""
        return next((r.number for r in self.receipts.all() if r.status == Receipt.Status.VALID), "")


class ReceiptSequence(models.Model):
    """The last receipt number used in a year; locked while a number is taken, so none is skipped."""

    year = models.PositiveSmallIntegerField(_("年度"), primary_key=True)
    last_number = models.PositiveIntegerField(_("已用的最后编号"), default=0)

    class Meta:
        verbose_name = _("收据号序列")
        verbose_name_plural = _("收据号序列")


class Receipt(models.Model):
    """Our own donation receipt (捐赠收据), not the finance bureau's fiscal bill.

    Never edited after issue: the only change allowed is voiding, and a replacement is a new
    receipt that points at the one it replaces.
    """

    class Status(models.TextChoices):
        VALID = "valid", _("有效")
        VOIDED = "voided", _("已作废")

    VOID_FIELDS = frozenset({"status", "void_reason", "voided_at", "voided_by"})

    number = models.CharField(_("收据编号"), max_length=16, unique=True)
    year = YearField(_("年度"))
    sequence = models.PositiveIntegerField(_("序号"))
    donation = models.ForeignKey(Donation, verbose_name=_("捐赠"), on_delete=models.PROTECT, related_name="receipts")
    donor_name = models.CharField(_("捐赠方（开具时）"), max_length=100)
    is_organisation = models.BooleanField(_("单位捐赠"), default=False)
    amount = MoneyField(_("金额（元）"))
    received_on = models.DateField(_("到账日期"))
    verification_code = models.CharField(_("验证码"), max_length=8)
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.VALID)
    replaces = models.OneToOneField("self", verbose_name=_("替代的收据"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="replaced_by")
    issued_at = models.DateTimeField(_("开具时间"), auto_now_add=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("开具人"), on_delete=models.PROTECT,
                                  related_name="+")
    void_reason = models.CharField(_("作废原因"), max_length=200, blank=True)
    voided_at = models.DateTimeField(_("作废时间"), null=True, blank=True)
    voided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("作废人"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("捐赠收据")
        verbose_name_plural = _("捐赠收据")
        ordering = ["-year", "-sequence"]
        permissions = [("void_receipt", _("可作废并重开收据"))]
        constraints = [
            models.UniqueConstraint(fields=["year", "sequence"], name="receipt_year_sequence_unique",
                                    violation_error_message=_("收据编号已被使用")),
            models.UniqueConstraint(fields=["donation"], condition=Q(status="valid"),
                                    name="receipt_one_valid_per_donation",
                                    violation_error_message=_("该捐赠已有有效收据，如需更正请先作废")),
            models.CheckConstraint(condition=Q(amount__gt=0), name="receipt_amount_positive",
                                   violation_error_message=_("收据金额必须大于零")),
            models.CheckConstraint(condition=Q(status="valid") | ~Q(void_reason=""), name="receipt_void_has_reason",
                                   violation_error_message=_("作废收据必须填写原因")),
        ]

    def __str__(self):
        return self.number

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if self.pk is not None and (update_fields is None or not set(update_fields) <= self.VOID_FIELDS):
            raise PermissionError("收据开具后不能修改，只能作废后重开")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("收据不能删除，只能作废")


class ReceiptPrint(models.Model):
    """Each rendering of a receipt PDF. Every print after the first is marked 副本 (copy)."""

    receipt = models.ForeignKey(Receipt, on_delete=models.PROTECT, related_name="prints", verbose_name=_("收据"))
    printed_at = models.DateTimeField(_("打印时间"), auto_now_add=True)
    printed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("打印人"), help_text=_("公众下载时为空"))
    is_copy = models.BooleanField(_("副本"))

    class Meta:
        verbose_name = _("收据打印记录")
        verbose_name_plural = _("收据打印记录")
        ordering = ["-id"]


class FiscalBill(models.Model):
    """The finance bureau's 公益事业捐赠票据, issued in its system; we only record its number."""

    receipt = models.OneToOneField(Receipt, verbose_name=_("捐赠收据"), on_delete=models.PROTECT,
                                   related_name="fiscal_bill")
    bill_number = models.CharField(_("票据号码"), max_length=40, unique=True)
    check_code = models.CharField(_("校验码"), max_length=40)
    entered_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT,
                                   related_name="+")

    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("公益事业捐赠票据")
        verbose_name_plural = _("公益事业捐赠票据")

    def __str__(self):
        return self.bill_number
