"""复核 (a family's request for review of a decision on its case), decided by someone other than
the one who made the decision, within APPEAL_WORKING_DAYS working days.

Two kinds: of the eligibility determination (认定不符合: reopened, the review case goes back to
verification and the application under review), and of the amount (the application goes back to
costing, for the council's next resolution). One open appeal per application.
"""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from fundportal.audit import history_user
from fundportal.models import Region
from fundportal.states import Moves

from ..applications.models import Application
from ..council.models import ResolutionItem
from ..review.models import ReviewCase


class Appeal(models.Model):
    class Kind(models.TextChoices):
        ELIGIBILITY = "eligibility", _("对低收入资格认定申请复核")
        AMOUNT = "amount", _("对救助金额申请复核")

    class State(models.TextChoices):
        RECEIVED = "received", _("待复核")
        UPHELD = "upheld", _("维持原决定")
        REOPENED = "reopened", _("撤销原决定，重新办理")

    class Channel(models.TextChoices):
        CLERK = "clerk", _("窗口受理")
        ONLINE = "online", _("网上提交")

    MOVES = Moves({State.RECEIVED: {State.UPHELD, State.REOPENED}, State.UPHELD: set(), State.REOPENED: set()},
                  names={State.UPHELD: "维持原决定", State.REOPENED: "撤销原决定"}, initial={State.RECEIVED})

    number = models.CharField(_("复核编号"), max_length=16, unique=True)
    kind = models.CharField(_("复核事项"), max_length=12, choices=Kind.choices)
    application = models.ForeignKey(Application, verbose_name=_("申请"), on_delete=models.PROTECT,
                                    related_name="appeals")
    review_case = models.ForeignKey(ReviewCase, verbose_name=_("资格审核"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="appeals")
    item = models.ForeignKey(ResolutionItem, verbose_name=_("决议明细"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="appeals")
    region = models.ForeignKey(Region, verbose_name=_("所属区域"), on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(_("提出方式"), max_length=8, choices=Channel.choices)
    grounds = models.TextField(_("复核理由"), max_length=1000)
    filed_on = models.DateField(_("申请日期"))
    due_on = models.DateField(_("办理期限"))
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.RECEIVED)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("受理人"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    decision_reason = models.TextField(_("复核结论及理由"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("复核人"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("复核时间"), null=True, blank=True)

    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("复核申请")
        verbose_name_plural = _("复核申请")
        ordering = [models.F("decided_at").asc(nulls_first=True), "due_on", "id"]
        permissions = [("decide_eligibility_appeal", _("可办理低收入资格认定的复核")),
                       ("decide_amount_appeal", _("可办理救助金额的复核"))]
        constraints = [
            models.UniqueConstraint(fields=["application"], condition=Q(state="received"),
                                    name="appeal_one_open_per_application",
                                    violation_error_message=_("该申请已有正在办理的复核，不能重复提出")),
            models.CheckConstraint(
                condition=(Q(kind="eligibility") & Q(review_case__isnull=False))
                | (Q(kind="amount") & Q(item__isnull=False)),
                name="appeal_names_its_decision",
                violation_error_message=_("复核须对应原决定：资格认定或决议明细")),
            models.CheckConstraint(
                condition=Q(state="received") | (
                    ~Q(decision_reason="") & Q(decided_by__isnull=False) & Q(decided_at__isnull=False)),
                name="appeal_decided_with_reason",
                violation_error_message=_("办结复核须填写复核结论及理由")),
        ]
        indexes = [models.Index(fields=["region", "state"], name="appeal_region_state_idx")]

    def __str__(self):
        return self.number
