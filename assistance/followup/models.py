"""Follow-up of families already assisted (防止返贫监测): each new screening of a cost year flags
last years' beneficiaries whose new out-of-pocket cost passes the lower follow-up threshold, whose
cost rose sharply, or who died. Each flag is a task for the officers of the family's village, kept
apart from the new warning targets: they contact the family and record the outcome — no risk
found, or a review of the household's eligibility (a review case), or the family has moved away.
"""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from fundportal.audit import history_user
from fundportal.models import Region
from fundportal.money import MoneyField
from fundportal.states import Moves
from fundportal.years import YearField

from ..intake.models import InsuredPerson, ScreeningRun
from ..review.models import ReviewCase


class FollowUp(models.Model):
    class State(models.TextChoices):
        OPEN = "open", _("待跟进")
        CLOSED = "closed", _("已办结")

    class Outcome(models.TextChoices):
        NO_RISK = "no_risk", _("经核实无返贫风险")
        REVIEW = "review", _("转入低收入资格审核")
        DIED = "died", _("已去世")
        MOVED = "moved", _("已迁出本市")

    # One move (fundportal.states, assistance/followup/services.py): an open follow-up is closed
    # with its outcome, by the officer or by the person's death or move in the registry.
    MOVES = Moves({State.OPEN: {State.CLOSED}, State.CLOSED: set()}, names={State.CLOSED: "办结"},
                  initial={State.OPEN})

    person = models.ForeignKey(InsuredPerson, verbose_name=_("监测对象"), on_delete=models.PROTECT,
                               related_name="follow_ups")
    run = models.ForeignKey(ScreeningRun, verbose_name=_("筛查批次"), on_delete=models.PROTECT, related_name="follow_ups")
    year = YearField(_("年度"), help_text=_("医疗费用所属年度"))
    region = models.ForeignKey(Region, verbose_name=_("所属区域"), on_delete=models.PROTECT, related_name="+")
    # Why it was flagged (one or more).
    over_threshold = models.BooleanField(_("自付超过监测线"), default=False)
    sharp_rise = models.BooleanField(_("自付费用大幅上升"), default=False)
    died = models.BooleanField(_("已去世"), default=False)
    out_of_pocket = MoneyField(_("本年度个人自付"), default=0)
    previous_out_of_pocket = MoneyField(_("上年度个人自付"), default=0)
    assisted_years = models.CharField(_("曾获救助年度"), max_length=60)
    state = models.CharField(_("状态"), max_length=8, choices=State.choices, default=State.OPEN)
    opened_at = models.DateTimeField(_("生成时间"))
    due_on = models.DateField(_("跟进期限"))
    outcome = models.CharField(_("结果"), max_length=10, choices=Outcome.choices, blank=True)
    notes = models.TextField(_("跟进情况"), blank=True)
    review_case = models.ForeignKey(ReviewCase, verbose_name=_("资格审核"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="follow_ups")
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("办结人"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("防止返贫监测")
        verbose_name_plural = _("防止返贫监测")
        ordering = ["state", "due_on", "id"]
        permissions = [("record_followup", _("可登记防止返贫监测跟进结果"))]
        constraints = [
            models.UniqueConstraint(fields=["person", "year"], name="follow_up_person_year_unique",
                                    violation_error_message=_("该对象本年度已有监测记录")),
            models.CheckConstraint(condition=Q(over_threshold=True) | Q(sharp_rise=True) | Q(died=True),
                                   name="follow_up_has_reason", violation_error_message=_("监测记录须有原因")),
            models.CheckConstraint(condition=Q(state="open", outcome="", closed_at__isnull=True)
                                   | Q(state="closed") & ~Q(outcome="") & Q(closed_at__isnull=False),
                                   name="follow_up_closed_has_outcome",
                                   violation_error_message=_("办结的监测须有结果和办结时间")),
        ]
        indexes = [models.Index(fields=["region", "state"], name="follow_up_region_state_idx")]

    def __str__(self):
        return f"{self.person} {self.year}"

    # The flags that say why, each named by its field's label (the list, the page, the filter).
    REASON_FIELDS = ("over_threshold", "sharp_rise", "died")

    @classmethod
    def reason_labels(cls) -> dict[str, str]:
        return {name: cls._meta.get_field(name).verbose_name for name in cls.REASON_FIELDS}

    @property
    def reasons(self) -> list[str]:
        return [str(label) for name, label in self.reason_labels().items() if getattr(self, name)]
