"""Outreach (应助未助): a family found eligible that has not applied some days after the decision
becomes a task for the officers of its village, who record each contact until an application
arrives or an outcome ends the task (declined with a reason, moved away, died, or not reachable
after OUTREACH_UNREACHABLE_ATTEMPTS tries)."""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from fundportal.audit import history_user
from fundportal.models import Region
from fundportal.states import Moves
from fundportal.years import YearField

from ..review.models import ReviewCase


class Outcome(models.TextChoices):
    APPLIED = "applied", _("已提出申请")
    DECLINED = "declined", _("本人放弃申请")
    MOVED = "moved", _("已迁出本市")
    DIED = "died", _("已去世")
    UNREACHABLE = "unreachable", _("无法联系")


class OutreachTask(models.Model):
    class State(models.TextChoices):
        OPEN = "open", _("待跟进")
        CLOSED = "closed", _("已办结")

    # The only move there is (fundportal.states, assistance/outreach/services.py): an open task is
    # closed, with its outcome, by an application, by a contact whose result ends it, or by the
    # person's death in the registry. A closed task stays closed: a later change is a new fact
    # (an application arriving still counts as applied in the report).
    MOVES = Moves({State.OPEN: {State.CLOSED}, State.CLOSED: set()}, names={State.CLOSED: "办结"},
                  initial={State.OPEN})

    review_case = models.OneToOneField(ReviewCase, verbose_name=_("资格审核"), on_delete=models.PROTECT,
                                       related_name="outreach_task")
    year = YearField(_("年度"), help_text=_("医疗费用所属年度"))
    region = models.ForeignKey(Region, verbose_name=_("所属区域"), on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("状态"), max_length=8, choices=State.choices, default=State.OPEN)
    opened_at = models.DateTimeField(_("生成时间"))
    due_on = models.DateField(_("联系期限"))
    outcome = models.CharField(_("结果"), max_length=12, choices=Outcome.choices, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("应助未助跟进")
        verbose_name_plural = _("应助未助跟进")
        ordering = ["state", "due_on", "id"]
        permissions = [("record_outreachcontact", _("可登记应助未助联系情况"))]
        constraints = [
            models.CheckConstraint(condition=Q(state="open", outcome="", closed_at__isnull=True)
                                   | Q(state="closed") & ~Q(outcome="") & Q(closed_at__isnull=False),
                                   name="outreach_closed_has_outcome",
                                   violation_error_message=_("办结的跟进须有结果和办结时间")),
        ]
        indexes = [models.Index(fields=["region", "state"], name="outreach_region_state_idx"),
                   models.Index(fields=["year", "state"], name="outreach_year_state_idx")]

    def __str__(self):
        return f"{self.review_case.person} {self.year}"


class OutreachContact(models.Model):
    class Method(models.TextChoices):
        PHONE = "phone", _("电话")
        VISIT = "visit", _("入户")
        SMS = "sms", _("短信")
        OTHER = "other", _("其他（托亲友、村干部转告等）")

    class Result(models.TextChoices):
        APPLIED = Outcome.APPLIED.value, Outcome.APPLIED.label
        WILL_APPLY = "will_apply", _("已告知，将提出申请")
        DECLINED = Outcome.DECLINED.value, Outcome.DECLINED.label
        MOVED = Outcome.MOVED.value, Outcome.MOVED.label
        DIED = Outcome.DIED.value, Outcome.DIED.label
        UNREACHABLE = Outcome.UNREACHABLE.value, _("未联系上")

    task = models.ForeignKey(OutreachTask, verbose_name=_("跟进任务"), on_delete=models.PROTECT,
                             related_name="contacts")
    contacted_on = models.DateField(_("联系日期"))
    method = models.CharField(_("联系方式"), max_length=8, choices=Method.choices)
    result = models.CharField(_("联系结果"), max_length=12, choices=Result.choices)
    reason = models.TextField(_("说明"), blank=True, help_text=_("放弃申请须写明原因"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField(_("登记时间"))

    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("应助未助联系记录")
        verbose_name_plural = _("应助未助联系记录")
        ordering = ["contacted_on", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(result="declined") | ~Q(reason=""), name="outreach_declined_has_reason",
                                   violation_error_message=_("放弃申请须写明原因")),
        ]

    def __str__(self):
        return f"{self.contacted_on} {self.get_method_display()} {self.get_result_display()}"
