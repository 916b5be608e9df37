"""The council (理事会): its assistance schemes, member agencies, meetings, and the resolutions
they adopt.

A scheme (救助方案) holds the rules the council approves for computing each family's amount,
versioned per year; a scheme the council has approved is never edited: a change is a new version.

A resolution approves a scheme version, or a batch of applications with their amounts (and may
reject some). Once the secretary signs it, it never changes — a database trigger refuses any
UPDATE or DELETE of a signed resolution or of its list — and a correction is a new resolution
that amends it. Every service is in assistance/council/ (services.py, schemes.py).
"""
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from fundportal.audit import history_user
from fundportal.money import MoneyField, money_label
from fundportal.states import Moves
from fundportal.years import YearField

from ..applications.models import Application
from ..review.models import EligibilityCategory
from ..schemes import Band, Rule, Terms


class Scheme(models.Model):
    class Rounding(models.TextChoices):
        YUAN = "yuan", _("取整到元")
        FEN = "fen", _("保留到分")

    year = YearField(_("年度"), help_text=_("救助的医疗费用所属年度"))
    version = models.PositiveSmallIntegerField(_("版本"))
    name = models.CharField(_("方案名称"), max_length=100)
    annual_cap = MoneyField(_("年度救助限额（元/人）"))
    rounding = models.CharField(_("金额取整"), max_length=4, choices=Rounding.choices, default=Rounding.YUAN)
    count_extra_costs = models.BooleanField(_("计入医保结算以外的医疗费用"), default=True,
                                            help_text=_("如外省就医等有发票的费用"))
    notes = models.TextField(_("说明"), blank=True)
    # How to apply, published with the scheme on the public scheme page (一次告知): approved with it.
    who_may_apply = models.TextField(_("申请对象"), blank=True)
    documents = models.TextField(_("申请材料"), blank=True, help_text=_("每行一项，一次告知所需全部材料"))
    where_to_apply = models.TextField(_("受理地点"), blank=True)
    apply_from = models.DateField(_("受理开始日期"), null=True, blank=True)
    apply_until = models.DateField(_("受理截止日期"), null=True, blank=True)
    enquiry_phone = models.CharField(_("咨询电话"), max_length=40, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("制定人"), on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("制定时间"), auto_now_add=True)
    approved_at = models.DateTimeField(_("理事会批准时间"), null=True, blank=True,
                                       help_text=_("批准后不能修改，调整须新建版本"))

    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("救助方案")
        verbose_name_plural = _("救助方案")
        ordering = ["-year", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["year", "version"], name="scheme_year_version_unique",
                                    violation_error_message=_("该年度已有相同版本号的救助方案")),
            models.CheckConstraint(condition=Q(annual_cap__gt=0), name="scheme_cap_positive",
                                   violation_error_message=_("年度救助上限必须大于零")),
        ]

    def __str__(self):
        return f"{self.year} 年{self.name}（第 {self.version} 版）"

    @property
    def is_approved(self) -> bool:
        return self.approved_at is not None

    def terms(self) -> Terms:
        """The scheme as the computation takes it."""
        rules = {rule.category_id: Rule(deductible=rule.deductible, bands=rule.band_list())
                 for rule in self.rules.all()}
        return Terms(annual_cap=self.annual_cap, rounding=self.rounding, count_extra_costs=self.count_extra_costs,
                     rules=rules)


class SchemeRule(models.Model):
    """The deductible and bands for one eligibility category (no category: every other one)."""

    scheme = models.ForeignKey(Scheme, verbose_name=_("救助方案"), on_delete=models.CASCADE, related_name="rules")
    category = models.ForeignKey(EligibilityCategory, verbose_name=_("认定类别"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+",
                                 help_text=_("留空：适用于其他所有类别"))
    deductible = MoneyField(_("起付标准（元）"), default=0)
    # [{"lower": "0", "upper": "20000", "ratio": "0.70"}, …, {"lower": "…", "upper": null, "ratio": "…"}]
    bands = models.JSONField(_("分段救助比例"))

    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("方案规则")
        verbose_name_plural = _("方案规则")
        ordering = ["scheme", "category__order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "category"], name="scheme_rule_category_unique",
                                    violation_error_message=_("同一方案中每个救助类别只能有一条规则")),
            models.UniqueConstraint(fields=["scheme"], condition=Q(category__isnull=True),
                                    name="scheme_rule_one_default",
                                    violation_error_message=_("同一方案只能有一条默认规则（不指定类别）")),
            models.CheckConstraint(condition=Q(deductible__gte=0), name="scheme_rule_deductible_not_negative",
                                   violation_error_message=_("起付线不能为负数")),
        ]

    def __str__(self):
        return str(self.category or _("其他类别"))

    def band_list(self) -> tuple[Band, ...]:
        return tuple(Band(lower=Decimal(band["lower"]), upper=None if band["upper"] is None else Decimal(band["upper"]),
                          ratio=Decimal(band["ratio"])) for band in self.bands)


class CouncilMember(models.Model):
    """A member agency (医保局, 民政局, 总工会, 红十字会, 慈善总会)."""

    name = models.CharField(_("成员单位"), max_length=60, unique=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("现为成员"), default=True, help_text=_("法定人数按现有成员单位计算"))

    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("理事会成员单位")
        verbose_name_plural = _("理事会成员单位")
        ordering = ["order", "id"]

    def __str__(self):
        return self.name


class QuorumRule(models.Model):
    """How many member agencies must attend (one row; editable by the administrator)."""

    share = models.DecimalField(_("出席单位比例"), max_digits=3, decimal_places=2, default=0.5,
                                help_text=_("如 0.50 表示半数"))
    strictly_more = models.BooleanField(_("须超过该比例"), default=True,
                                        help_text=_("勾选：出席单位须超过该比例（过半数）；不勾选：达到即可"))

    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("法定人数规则")
        verbose_name_plural = _("法定人数规则")

    def __str__(self):
        return f"{'超过' if self.strictly_more else '不少于'}成员单位的 {self.share:.0%}"


class Meeting(models.Model):
    held_on = models.DateField(_("会议日期"))
    title = models.CharField(_("会议名称"), max_length=100)
    place = models.CharField(_("地点"), max_length=100, blank=True)
    agenda = models.TextField(_("议程"))
    minutes = models.TextField(_("会议纪要"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("记录人"), on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("理事会会议")
        verbose_name_plural = _("理事会会议")
        ordering = ["-held_on", "-id"]

    def __str__(self):
        return f"{self.held_on:%Y-%m-%d} {self.title}"


class Attendance(models.Model):
    """A member agency at a meeting, and who represented it."""

    meeting = models.ForeignKey(Meeting, verbose_name=_("会议"), on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(CouncilMember, verbose_name=_("成员单位"), on_delete=models.PROTECT, related_name="+")
    representative = models.CharField(_("出席代表"), max_length=50)

    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("出席单位")
        verbose_name_plural = _("出席单位")
        ordering = ["meeting", "member__order", "member_id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="attendance_member_once",
                                               violation_error_message=_("同一成员在一次会议中只能登记一次"))]

    def __str__(self):
        return f"{self.member}（{self.representative}）"


class Resolution(models.Model):
    class Kind(models.TextChoices):
        SCHEME = "scheme", _("批准救助方案")
        PAYOUTS = "payouts", _("批准救助名单及金额")

    class OverBudget(models.TextChoices):
        PRO_RATA = "pro_rata", _("按比例核减每笔金额")
        IN_ORDER = "in_order", _("按顺序批准至预算用尽")

    class Order(models.TextChoices):
        SUBMITTED = "submitted", _("按受理先后")
        CATEGORY = "category", _("按认定类别，同类按受理先后")

    class State(models.TextChoices):
        DRAFT = "draft", _("草案")
        SIGNED = "signed", _("已签署")

    # A resolution's state has no column: it is signed when signed_at is set. One move, made once by
    # the secretary's signing (assistance/council/services.py resolution_sign, the one writer of
    # signed_at and signed_by); the database refuses any change of a signed one after (migration
    # 0012), so there is no way back. A correction is a new resolution that amends it.
    SIGNING = Moves({State.DRAFT: {State.SIGNED}, State.SIGNED: set()}, names={State.SIGNED: "签署"},
                    initial={State.DRAFT})

    meeting = models.ForeignKey(Meeting, verbose_name=_("会议"), on_delete=models.PROTECT, related_name="resolutions")
    kind = models.CharField(_("决议类型"), max_length=8, choices=Kind.choices)
    title = models.CharField(_("标题"), max_length=120)
    text = models.TextField(_("决议内容"), blank=True)
    scheme = models.ForeignKey(Scheme, verbose_name=_("救助方案"), on_delete=models.PROTECT, related_name="resolutions")
    amends = models.ForeignKey("self", verbose_name=_("更正的决议"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="amended_by")
    over_budget = models.CharField(_("超出可用余额时"), max_length=8, choices=OverBudget.choices,
                                   default=OverBudget.PRO_RATA)
    order = models.CharField(_("批准顺序"), max_length=10, choices=Order.choices, default=Order.SUBMITTED,
                             help_text=_("按顺序批准时适用"))
    # Set when signed, never after: the number (2023-第3号), the figures the council saw, who signed.
    year = YearField(_("决议年度"), null=True, blank=True)
    sequence = models.PositiveSmallIntegerField(_("序号"), null=True, blank=True)
    available = MoneyField(_("可用余额"), null=True, blank=True,
                           help_text=_("基金余额减去已批准未支付的金额，签署时的数字"))
    requested = MoneyField(_("测算合计"), null=True, blank=True)
    approved = MoneyField(_("批准合计"), null=True, blank=True)
    quorum = models.CharField(_("法定人数"), max_length=100, blank=True)
    # False only for resolutions signed before 公示 existed (migration 0018): paid as they were.
    publicity_required = models.BooleanField(_("须经公示"), default=True, editable=False)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("签署人"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(_("签署时间"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("起草人"), on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(_("起草时间"), auto_now_add=True)

    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("理事会决议")
        verbose_name_plural = _("理事会决议")
        ordering = ["-id"]
        permissions = [("sign_resolution", _("可签署理事会决议"))]
        constraints = [
            models.UniqueConstraint(fields=["year", "sequence"], name="resolution_number_unique",
                                    violation_error_message=_("决议编号已被使用")),
            models.CheckConstraint(
                condition=Q(signed_at__isnull=True) | Q(year__isnull=False, sequence__isnull=False,
                                                        signed_by__isnull=False, approved__isnull=False),
                name="resolution_signed_complete",
                violation_error_message=_("签发决议须有编号、签发人和批准金额")),
            models.CheckConstraint(condition=Q(approved__isnull=True) | Q(approved__gte=0),
                                   name="resolution_approved_not_negative",
                                   violation_error_message=_("批准金额不能为负数")),
        ]

    def __str__(self):
        return f"{self.number}：{self.title}"

    @property
    def number(self) -> str:
        return f"{self.year}-第{self.sequence}号" if self.signed_at else _("决议草案 #%(id)s") % {"id": self.pk}

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None

    @property
    def state(self) -> str:
        """Draft or signed, as SIGNING names them (read from signed_at)."""
        return self.State.SIGNED if self.signed_at else self.State.DRAFT


class ResolutionItem(models.Model):
    """One application in a payouts resolution: approved with its amount, or rejected with a reason."""

    class Decision(models.TextChoices):
        APPROVE = "approve", _("批准")
        REJECT = "reject", _("不予救助")
        DEFER = "defer", _("预算不足，留待下次")

    resolution = models.ForeignKey(Resolution, verbose_name=_("决议"), on_delete=models.PROTECT, related_name="items")
    application = models.ForeignKey(Application, verbose_name=_("申请"), on_delete=models.PROTECT,
                                    related_name="resolution_items")
    decision = models.CharField(_("决定"), max_length=8, choices=Decision.choices)
    reason = models.CharField(_("理由"), max_length=200, blank=True)
    computed = MoneyField(_("按方案测算"), default=0)
    amount = MoneyField(_("批准金额"), default=0)
    breakdown = models.JSONField(_("测算明细"), default=dict)
    # A rejection the council decided (kept when the draft is recomputed), not one the scheme gave.
    by_council = models.BooleanField(_("理事会决定"), default=False)

    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("决议明细")
        verbose_name_plural = _("决议明细")
        ordering = ["resolution", "id"]
        constraints = [
            models.UniqueConstraint(fields=["resolution", "application"], name="resolution_item_once",
                                    violation_error_message=_("同一申请在一份决议中只能出现一次")),
            models.CheckConstraint(condition=Q(amount__gte=0) & Q(amount__lte=models.F("computed")),
                                   name="resolution_item_amount_within_computed",
                                   violation_error_message=_("批准金额须在零与测算金额之间")),
            models.CheckConstraint(condition=Q(decision="approve") | Q(amount=0), name="resolution_item_only_approved_pay",
                                   violation_error_message=_("只有批准的申请才能有救助金额")),
            models.CheckConstraint(condition=~Q(decision="reject") | ~Q(reason=""), name="resolution_item_reject_reason",
                                   violation_error_message=_("不予批准时须填写原因")),
        ]

    def __str__(self):
        return f"{self.application}：{self.get_decision_display()} {money_label(self.amount)}"


class ResolutionSequence(models.Model):
    """The last resolution number of a year (locked while a number is taken: no gaps)."""

    year = models.PositiveSmallIntegerField(_("年度"), primary_key=True)
    last = models.PositiveIntegerField(_("已用的最后编号"), default=0)

    class Meta:
        verbose_name = _("决议编号序列")
        verbose_name_plural = _("决议编号序列")
