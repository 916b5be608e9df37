"""Eligibility review by civil affairs (民政): one review case per person and year.

A case comes from a shared warning target, or from an application for someone not on the list.
It moves city → town → village and back up: first screening by the city bureau, dispatch to the
town/street, hand-over to the village/community, verification (甄别) there, and the bureau's
determination. Every move is one service in assistance/review/services.py, which moves the state
through fundportal.states (state_move, states_move for the bulk moves); the table below is the
only statement of which moves exist.
"""
from django.conf import settings
from django.core.exceptions import ValidationError
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

from ..intake.models import InsuredPerson, WarningTarget


class EligibilityCategory(models.Model):
    """Low-income categories (低收入人口认定类别). Editable: the policy names change."""

    name = models.CharField(_("类别"), max_length=30, unique=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("低收入认定类别")
        verbose_name_plural = _("低收入认定类别")
        ordering = ["order", "id"]

    def __str__(self):
        return self.name


class ReviewCase(models.Model):
    class State(models.TextChoices):
        FIRST_SCREENING = "first_screening", _("监测初筛")
        AT_TOWN = "at_town", _("乡镇（街道）核查")
        AT_VILLAGE = "at_village", _("村（社区）甄别")
        VERIFIED = "verified", _("已甄别，待认定")
        RETURNED = "returned", _("退回重新甄别")
        ELIGIBLE = "eligible", _("认定符合")
        NOT_ELIGIBLE = "not_eligible", _("认定不符合")
        CLOSED = "closed", _("已终止")

    class Source(models.TextChoices):
        WARNING = "warning", _("预警名单")
        APPLICATION = "application", _("救助申请")
        RECHECK = "recheck", _("资格到期复审")
        FOLLOW_UP = "follow_up", _("防止返贫监测")

    # The only moves there are (state → the states it may go to), each named for the message
    # refusing it ("当前状态为“已甄别，待认定”，不能派至乡镇（街道）"). A case opens in first screening.
    # An open case is closed (终止) when its person dies or moves away (assistance/followup/stopping.py).
    MOVES = Moves({
        State.FIRST_SCREENING: {State.AT_TOWN, State.CLOSED},
        State.AT_TOWN: {State.AT_VILLAGE, State.CLOSED},
        State.AT_VILLAGE: {State.VERIFIED, State.CLOSED},
        State.RETURNED: {State.VERIFIED, State.CLOSED},
        State.VERIFIED: {State.ELIGIBLE, State.NOT_ELIGIBLE, State.RETURNED, State.CLOSED},
        State.ELIGIBLE: set(),
        State.NOT_ELIGIBLE: {State.RETURNED},  # a review (复核) reopened it: verified again
        State.CLOSED: set(),
    }, names={State.AT_TOWN: "派至乡镇（街道）", State.AT_VILLAGE: "交村（社区）甄别", State.VERIFIED: "登记甄别结果",
              State.ELIGIBLE: "认定", State.NOT_ELIGIBLE: "认定", State.RETURNED: "退回重新甄别",
              State.CLOSED: "终止"},
        initial={State.FIRST_SCREENING, State.AT_TOWN, State.AT_VILLAGE})  # a re-review starts in the area
    OPEN_STATES = [State.FIRST_SCREENING, State.AT_TOWN, State.AT_VILLAGE, State.VERIFIED, State.RETURNED]

    person = models.ForeignKey(InsuredPerson, verbose_name=_("对象"), on_delete=models.PROTECT,
                               related_name="review_cases")
    year = YearField(_("年度"), help_text=_("医疗费用所属年度"))
    region = models.ForeignKey(Region, verbose_name=_("所属区域"), on_delete=models.PROTECT, related_name="+",
                               help_text=_("乡镇（街道）或村（社区）：决定哪些民政人员能看到此案"))
    source = models.CharField(_("来源"), max_length=12, choices=Source.choices)
    target = models.ForeignKey(WarningTarget, verbose_name=_("预警记录"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="review_cases")
    # A re-review (资格到期复审) or a follow-up's review: the case it looks at again, whose household
    # record the officers see beside the new one (what changed).
    previous = models.ForeignKey("self", verbose_name=_("上次认定"), null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="next_cases")
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.FIRST_SCREENING)
    state_since = models.DateTimeField(_("进入当前状态时间"))
    due_on = models.DateField(_("办理期限"), null=True, blank=True, help_text=_("当前环节应在此日期前办结"))

    # Verification (甄别) by the village/community.
    household_income = MoneyField(_("家庭年收入（元）"), null=True, blank=True)
    assets = models.TextField(_("家庭财产"), blank=True)
    housing = models.TextField(_("住房情况"), blank=True)
    notes = models.TextField(_("核查情况说明"), blank=True)
    visited_on = models.DateField(_("入户核查日期"), null=True, blank=True)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("甄别人"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    verified_at = models.DateTimeField(_("甄别时间"), null=True, blank=True)

    # Determination (认定) by the civil-affairs bureau.
    category = models.ForeignKey(EligibilityCategory, verbose_name=_("认定类别"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    decision_reason = models.TextField(_("不符合原因"), blank=True)
    determined_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("认定人"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+")
    determined_at = models.DateTimeField(_("认定时间"), null=True, blank=True)
    return_reason = models.TextField(_("退回原因"), blank=True)
    # Eligibility lasts ELIGIBILITY_VALID_MONTHS from the decision; a lapsed one is not costed.
    valid_until = models.DateField(_("资格有效期至"), null=True, blank=True,
                                   help_text=_("认定符合之日起计算；到期前开启复审"))
    closed_reason = models.CharField(_("终止原因"), max_length=200, blank=True)

    created_at = models.DateTimeField(_("立案时间"), auto_now_add=True)

    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("低收入资格审核")
        verbose_name_plural = _("低收入资格审核")
        ordering = [models.F("due_on").asc(nulls_last=True), "id"]  # the most urgent first, decided last
        permissions = [
            ("dispatch_reviewcase", _("可将审核对象派至乡镇（街道）")),
            ("assign_reviewcase", _("可将审核对象交村（社区）甄别")),
            ("verify_reviewcase", _("可登记入户甄别结果")),
            ("determine_reviewcase", _("可认定低收入资格或退回")),
            ("move_reviewcase", _("可调整审核对象所属区域")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["person", "year"], name="review_case_person_year_unique",
                                    violation_error_message=_("该人员本年度已有核对案件")),
            models.CheckConstraint(condition=~Q(state="eligible") | Q(category__isnull=False),
                                   name="review_case_eligible_has_category",
                                   violation_error_message=_("认定符合条件时须选择救助类别")),
            models.CheckConstraint(condition=~Q(state="not_eligible") | ~Q(decision_reason=""),
                                   name="review_case_rejection_has_reason",
                                   violation_error_message=_("认定不符合条件时须填写原因")),
            models.UniqueConstraint(fields=["previous"], condition=Q(source="recheck"), name="review_case_one_recheck",
                                    violation_error_message=_("该认定已开启复审")),
            models.CheckConstraint(condition=~Q(state="closed") | ~Q(closed_reason=""),
                                   name="review_case_closed_has_reason",
                                   violation_error_message=_("终止须写明原因")),
            models.CheckConstraint(condition=Q(household_income__isnull=True) | Q(household_income__gte=0),
                                   name="review_case_income_not_negative",
                                   violation_error_message=_("家庭收入不能为负数")),
        ]
        indexes = [
            models.Index(fields=["region", "state"], name="review_case_region_state_idx"),
            models.Index(fields=["state", "due_on"], name="review_case_state_due_idx"),
            models.Index(fields=["state", "valid_until"], name="review_case_state_valid_idx"),
        ]

    def __str__(self):
        return f"{self.person} {self.year}"  # the person's label: masked (InsuredPerson.__str__)

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES


class HouseholdMember(models.Model):
    """A member of the household as the village found it on the visit."""

    case = models.ForeignKey(ReviewCase, verbose_name=_("资格审核"), on_delete=models.CASCADE, related_name="household")
    name = models.CharField(_("姓名"), max_length=50)
    relation = models.CharField(_("与对象关系"), max_length=20)
    resident_id = models.CharField(_("身份证号码"), max_length=18, blank=True)
    annual_income = MoneyField(_("年收入（元）"), default=0)
    notes = models.CharField(_("备注"), max_length=100, blank=True)

    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("家庭成员")
        verbose_name_plural = _("家庭成员")
        ordering = ["case", "id"]
        constraints = [models.CheckConstraint(condition=Q(annual_income__gte=0),
                                              name="household_member_income_not_negative",
                                              violation_error_message=_("家庭成员年收入不能为负数"))]

    def __str__(self):
        return f"{mask_name(self.name)}（{self.relation}）"


class StateDeadline(models.Model):
    """How many working days each open state may take (e.g. 10 to verify). Editable, within
    1 to MAX_WORKING_DAYS: a limit of 99,999,999 days made every dispatch overflow the calendar."""

    MAX_WORKING_DAYS = 365

    state = models.CharField(_("环节"), max_length=16, choices=ReviewCase.State.choices, unique=True)
    working_days = models.PositiveSmallIntegerField(_("办理时限（工作日）"))

    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("办理时限")
        verbose_name_plural = _("办理时限")
        ordering = ["id"]

    def __str__(self):
        return f"{self.get_state_display()}：{self.working_days} 个工作日"

    def clean(self):
        # In clean(), not a field validator: no migration, and every ModelForm (the admin's page
        # and its list's inline editing) calls it.
        if self.working_days is not None and not 1 <= self.working_days <= self.MAX_WORKING_DAYS:
            raise ValidationError({"working_days": _("办理时限应为 1 至 %(max)d 个工作日") % {
                "max": self.MAX_WORKING_DAYS}})


class OverdueCount(models.Model):
    """The daily count of overdue cases per town and state (recorded by a Celery beat job)."""

    day = models.DateField(_("日期"))
    town = models.ForeignKey(Region, verbose_name=_("乡镇/街道"), on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("环节"), max_length=16, choices=ReviewCase.State.choices)
    count = models.PositiveIntegerField(_("逾期件数"))

    class Meta:
        verbose_name = _("逾期统计")
        verbose_name_plural = _("逾期统计")
        ordering = ["-day", "town", "state"]
        constraints = [models.UniqueConstraint(fields=["day", "town", "state"], name="overdue_count_unique",
                                               violation_error_message=_("同一天同一乡镇同一状态只能有一条统计"))]

    def __str__(self):
        return f"{self.day} {self.town} {self.get_state_display()} {self.count}"
