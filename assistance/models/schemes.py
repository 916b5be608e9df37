"""Assistance schemes (救助方案): the rules the council approves for computing each family's amount.

Versioned per year. A scheme the council has approved is never edited: a change is a new version.
"""
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from fundportal.audit import history_user
from fundportal.money import MoneyField
from fundportal.years import YearField

from ..schemes import Band, Rule, Terms
from ..review.models import EligibilityCategory


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
