"""Payouts (Charity Federation): a signed resolution becomes a batch, the batch a bank file, the
bank's result file the ledger entries.

A payout pays one approved resolution item, exactly its amount. The database holds the money
rules, not only the code: at most one live payout and one paid payout per item (partial unique
constraints), one ledger entry per payout (one-to-one), and the ledger's own constraints keep the
balance at or above zero. Services are in assistance/payouts/ (services.py, bank_results.py).
"""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from fundportal.audit import history_user
from fundportal.jobs import LongJob
from fundportal.models import LedgerEntry
from fundportal.money import MoneyField, money_label
from fundportal.states import Moves

from ..applications.models import Application
from ..council.models import Resolution, ResolutionItem


class PayoutBatch(models.Model):
    class State(models.TextChoices):
        PREPARED = "prepared", _("已生成，待导出")
        EXPORTED = "exported", _("已导出银行文件")
        SETTLED = "settled", _("已全部对账")

    # Through fundportal.states only: exported the first time its bank file is made, settled when
    # the bank's results leave no payout waiting. A settled batch stays settled (a later return
    # moves the payout, not the batch).
    MOVES = Moves({State.PREPARED: {State.EXPORTED}, State.EXPORTED: {State.SETTLED}, State.SETTLED: set()},
                  names={State.EXPORTED: "导出银行文件", State.SETTLED: "记为已全部对账"}, initial={State.PREPARED})

    number = models.CharField(_("批次号"), max_length=20, unique=True)
    resolution = models.ForeignKey(Resolution, verbose_name=_("依据决议"), on_delete=models.PROTECT,
                                   related_name="batches")
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.PREPARED)
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("制单人"), on_delete=models.PROTECT,
                                    related_name="+")
    prepared_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    exported_at = models.DateTimeField(_("首次导出时间"), null=True, blank=True)

    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("支付批次")
        verbose_name_plural = _("支付批次")
        ordering = ["-id"]
        permissions = [("export_payoutbatch", _("可导出银行转账文件")),
                       ("reconcile_payoutbatch", _("可导入银行回单并对账")),
                       ("override_fraudflag", _("可核实放行风险提示"))]

    def __str__(self):
        return self.number


class Payout(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("待导出")
        SENT = "sent", _("已提交银行")
        PAID = "paid", _("已支付")
        FAILED = "failed", _("支付失败")
        RETURNED = "returned", _("已退回")
        CANCELLED = "cancelled", _("已取消")

    # Through fundportal.states only. Money moves on SENT → PAID (the ledger entry, written in the
    # same move, under the payout's lock) and PAID → RETURNED (the reversal); failed, returned and
    # cancelled payouts never move again (a re-issue is a new payout linked to the old one).
    MOVES = Moves({
        State.PENDING: {State.SENT, State.CANCELLED},
        State.SENT: {State.PAID, State.FAILED},
        State.PAID: {State.RETURNED},
        State.FAILED: set(),
        State.RETURNED: set(),
        State.CANCELLED: set(),
    }, names={State.SENT: "提交银行", State.CANCELLED: "取消", State.PAID: "确认为已支付", State.FAILED: "记为支付失败",
              State.RETURNED: "记为银行退回"}, initial={State.PENDING})

    LIVE_STATES = [State.PENDING, State.SENT, State.PAID]
    # A failed or returned payout may be re-issued (once: the re-issue links back to it).
    REISSUABLE_STATES = [State.FAILED, State.RETURNED]

    batch = models.ForeignKey(PayoutBatch, verbose_name=_("支付批次"), on_delete=models.PROTECT,
                              related_name="payouts")
    item = models.ForeignKey(ResolutionItem, verbose_name=_("决议明细"), on_delete=models.PROTECT,
                             related_name="payouts")
    application = models.ForeignKey(Application, verbose_name=_("申请"), on_delete=models.PROTECT,
                                    related_name="payouts")
    reference = models.CharField(_("支付参考号"), max_length=24, unique=True)
    amount = MoneyField(_("金额"))
    account_holder = models.CharField(_("收款人"), max_length=50)
    bank_name = models.CharField(_("开户银行"), max_length=60)
    account_number = models.CharField(_("银行账号"), max_length=32)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.PENDING)
    bank_message = models.CharField(_("银行说明"), max_length=200, blank=True)
    reissue_of = models.OneToOneField("self", verbose_name=_("重新支付的原支付"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="reissued_as")
    ledger_entry = models.OneToOneField(LedgerEntry, verbose_name=_("支出分录"), null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="+")
    reversal_entry = models.OneToOneField(LedgerEntry, verbose_name=_("冲正分录"), null=True, blank=True,
                                          on_delete=models.PROTECT, related_name="+")
    settled_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("确认人"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    settled_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    cancel_reason = models.CharField(_("取消原因"), max_length=200, blank=True)

    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("救助金支付")
        verbose_name_plural = _("救助金支付")
        ordering = ["batch", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payout_amount_positive",
                                   violation_error_message=_("支付金额必须大于零")),
            # Never twice: one live payout per approved item, and one paid.
            models.UniqueConstraint(fields=["item"], condition=Q(state__in=["pending", "sent", "paid"]),
                                    name="payout_one_live_per_item",
                                    violation_error_message=_("该决议事项已有未完成或已完成的支付，不能重复支付")),
            models.CheckConstraint(condition=~Q(state__in=["paid", "returned"]) | Q(ledger_entry__isnull=False),
                                   name="payout_paid_has_entry",
                                   violation_error_message=_("已支付或已退回的支付须有记账记录")),
            models.CheckConstraint(condition=~Q(state="returned") | Q(reversal_entry__isnull=False),
                                   name="payout_returned_has_reversal",
                                   violation_error_message=_("已退回的支付须有冲正记录")),
            models.CheckConstraint(condition=Q(state__in=["paid", "returned"]) | Q(ledger_entry__isnull=True),
                                   name="payout_entry_only_when_paid",
                                   violation_error_message=_("只有已支付或已退回的支付才能有记账记录")),
        ]
        indexes = [models.Index(fields=["account_number"], name="payout_account_idx")]

    def __str__(self):
        return f"{self.reference} {money_label(self.amount)}"


class BankResult(LongJob):
    """One bank result file imported for a batch; its lines are BankResultLine rows, each applied
    in its own transaction with its outcome. Applying the file is a long job (fundportal/jobs.py):
    queued → running → done (or failed), its progress the lines applied, sent again by the core's
    requeue if the broker was down or the worker died; a run picks up where the last one stopped
    (a line already applied is never applied again). The counts are filled in when all are done."""

    TASK_NAME = "assistance.tasks.bank_result_apply_task"
    # A run fails only on an unexpected error (the database went away): each line's own problem is
    # its outcome. It resumes where it stopped, so the requeue tries again, up to ten runs in all.
    RETRY_FAILED_UP_TO = 10

    batch = models.ForeignKey(PayoutBatch, verbose_name=_("支付批次"), on_delete=models.PROTECT,
                              related_name="bank_results")
    file_name = models.CharField(_("文件名"), max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("导入人"), on_delete=models.PROTECT,
                                    related_name="+")
    imported_at = models.DateTimeField(_("导入时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("处理完成"), null=True, blank=True)
    paid = models.PositiveIntegerField(_("确认支付"), default=0)
    failed = models.PositiveIntegerField(_("支付失败"), default=0)
    returned = models.PositiveIntegerField(_("退回"), default=0)
    unchanged = models.PositiveIntegerField(_("此前已处理"), default=0)
    mismatched = models.PositiveIntegerField(_("不符"), default=0)

    class Meta:
        verbose_name = _("银行回单")
        verbose_name_plural = _("银行回单")
        ordering = ["-id"]

    def __str__(self):
        return self.file_name


class BankResultLine(models.Model):
    """A line of a bank result file, and what applying it did (empty until applied)."""

    class Result(models.TextChoices):
        PAID = "paid", _("成功")
        FAILED = "failed", _("失败")
        RETURNED = "returned", _("退回")

    class Outcome(models.TextChoices):
        PAID = "paid", _("确认支付")
        FAILED = "failed", _("支付失败")
        RETURNED = "returned", _("退回")
        UNCHANGED = "unchanged", _("此前已处理")
        MISMATCH = "mismatch", _("不符")

    result = models.ForeignKey(BankResult, verbose_name=_("银行回单"), on_delete=models.CASCADE, related_name="rows")
    line = models.PositiveIntegerField(_("行号"))
    reference = models.CharField(_("参考号"), max_length=40)
    amount = MoneyField(_("金额"))
    bank_result = models.CharField(_("银行结果"), max_length=8, choices=Result.choices)
    message = models.CharField(_("银行说明"), max_length=200, blank=True)
    booked_on = models.DateField(_("银行日期"), null=True, blank=True, help_text=_("空：导入当天"))
    outcome = models.CharField(_("处理结果"), max_length=10, choices=Outcome.choices, blank=True)
    problem = models.CharField(_("不符原因"), max_length=1000, blank=True)

    class Meta:
        verbose_name = _("回单明细")
        verbose_name_plural = _("回单明细")
        ordering = ["result", "line"]
        constraints = [models.UniqueConstraint(fields=["result", "line"], name="bank_result_line_once",
                                               violation_error_message=_("银行回单的同一行只能导入一次"))]

    def __str__(self):
        return f"{self.line}: {self.reference}"


class FraudFlag(models.Model):
    """A warning raised on a payout before export or before confirmation. Some can be cleared by an
    explicit override with a reason; the others stop the payout until it is cancelled."""

    class Kind(models.TextChoices):
        DECEASED = "deceased", _("受助人已在医保登记为死亡")
        SHARED_ACCOUNT = "shared_account", _("银行账号与其他无亲属关系的受助人相同")
        STAFF_ACCOUNT = "staff_account", _("银行账号与工作人员相同")
        REUSED_INVOICE = "reused_invoice", _("发票号码已作为医保结算报销")

    OVERRIDABLE = [Kind.SHARED_ACCOUNT, Kind.STAFF_ACCOUNT]

    payout = models.ForeignKey(Payout, verbose_name=_("支付"), on_delete=models.PROTECT, related_name="flags")
    kind = models.CharField(_("风险类型"), max_length=16, choices=Kind.choices)
    detail = models.CharField(_("说明"), max_length=300)
    raised_at = models.DateTimeField(_("发现时间"), auto_now_add=True)
    overridden_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("核实人"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")
    overridden_at = models.DateTimeField(_("核实时间"), null=True, blank=True)
    override_reason = models.CharField(_("核实放行理由"), max_length=200, blank=True)

    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("风险提示")
        verbose_name_plural = _("风险提示")
        ordering = ["payout", "id"]
        constraints = [
            # One open flag per payout and kind; cleared ones stay, with who cleared what and why.
            models.UniqueConstraint(fields=["payout", "kind"], condition=Q(overridden_by__isnull=True),
                                    name="fraud_flag_one_open_per_kind",
                                    violation_error_message=_("该支付已有同类未处理的预警")),
            models.CheckConstraint(condition=Q(overridden_by__isnull=True) | ~Q(override_reason=""),
                                   name="fraud_flag_override_reason",
                                   violation_error_message=_("解除预警须填写原因")),
        ]

    def __str__(self):
        return f"{self.payout}：{self.get_kind_display()}"

    @property
    def is_open(self) -> bool:
        return self.overridden_by_id is None
