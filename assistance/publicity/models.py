"""公示 (a signed payouts resolution's approved entries, posted before payment) and 异议 (objections
against an entry, investigated and decided by the officers of its area).

What the public sees of an entry is fixed when the 公示 is posted (shown_name, village, category,
amount): the page shows what was posted, whatever changes later, like a published statement. An
entry may be paid when its period has ended and no objection against it is open or upheld
(assistance/publicity/selectors.py entries_payable); an upheld objection stops it for good, and
paying it otherwise takes an amending resolution.
"""
import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from fundportal.audit import history_user
from fundportal.models import Region
from fundportal.money import MoneyField
from fundportal.states import Moves

from ..council.models import Resolution, ResolutionItem


class Publicity(models.Model):
    """One resolution's 公示: its period, in calendar days, both ends included."""

    resolution = models.OneToOneField(Resolution, verbose_name=_("依据决议"), on_delete=models.PROTECT,
                                      related_name="publicity")
    starts_on = models.DateField(_("公示开始日期"))
    ends_on = models.DateField(_("公示截止日期"))
    days = models.PositiveSmallIntegerField(_("公示天数"))
    posted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发布人"), on_delete=models.PROTECT,
                                  related_name="+")
    posted_at = models.DateTimeField(_("发布时间"))

    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("救助名单公示")
        verbose_name_plural = _("救助名单公示")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="publicity_ends_after_start",
                                   violation_error_message=_("公示截止日期不能早于开始日期")),
            models.CheckConstraint(condition=Q(days__gte=1), name="publicity_at_least_one_day",
                                   violation_error_message=_("公示期至少一天")),
        ]

    def __str__(self):
        return _("%(number)s 救助名单公示") % {"number": self.resolution.number}

    @property
    def payable_from(self) -> dt.date:
        """The first day its entries may be paid: the day after the period."""
        return self.ends_on + dt.timedelta(days=1)

    def is_open_on(self, day: dt.date) -> bool:
        return self.starts_on <= day <= self.ends_on


class PublicityEntry(models.Model):
    """One approved item as the 公示 shows it: line number, masked name, village, category, amount."""

    publicity = models.ForeignKey(Publicity, verbose_name=_("公示"), on_delete=models.PROTECT, related_name="entries")
    item = models.OneToOneField(ResolutionItem, verbose_name=_("决议明细"), on_delete=models.PROTECT,
                                related_name="publicity_entry")
    line = models.PositiveIntegerField(_("序号"))
    region = models.ForeignKey(Region, verbose_name=_("村（社区）"), on_delete=models.PROTECT, related_name="+")
    shown_name = models.CharField(_("公示姓名"), max_length=20)
    category = models.CharField(_("救助类别"), max_length=30)
    amount = MoneyField(_("救助金额"))

    class Meta:
        verbose_name = _("公示名单")
        verbose_name_plural = _("公示名单")
        ordering = ["publicity", "line"]
        constraints = [models.UniqueConstraint(fields=["publicity", "line"], name="publicity_entry_line_unique",
                                               violation_error_message=_("公示序号重复"))]
        indexes = [models.Index(fields=["region", "publicity"], name="publicity_entry_region_idx")]

    def __str__(self):
        return _("%(publicity)s 第%(line)s号 %(name)s") % {"publicity": self.publicity, "line": self.line,
                                                         "name": self.shown_name}


class Objection(models.Model):
    """An objection to one entry of a 公示: received online or recorded by staff, investigated and
    decided within OBJECTION_WORKING_DAYS working days by the officers of the entry's area."""

    class State(models.TextChoices):
        RECEIVED = "received", _("待核查")
        INVESTIGATING = "investigating", _("核查中")
        UPHELD = "upheld", _("异议成立")
        DISMISSED = "dismissed", _("异议不成立")

    class Channel(models.TextChoices):
        ONLINE = "online", _("网上提交")
        PHONE = "phone", _("电话")
        LETTER = "letter", _("信函")
        VISIT = "visit", _("来访")

    MOVES = Moves({
        State.RECEIVED: {State.INVESTIGATING, State.UPHELD, State.DISMISSED},
        State.INVESTIGATING: {State.UPHELD, State.DISMISSED},
        State.UPHELD: set(),
        State.DISMISSED: set(),
    }, names={State.INVESTIGATING: "登记核查情况", State.UPHELD: "认定异议成立", State.DISMISSED: "认定异议不成立"},
        initial={State.RECEIVED})
    OPEN_STATES = [State.RECEIVED, State.INVESTIGATING]

    number = models.CharField(_("异议编号"), max_length=16, unique=True)
    lookup_code = models.CharField(_("查询码"), max_length=8)
    entry = models.ForeignKey(PublicityEntry, verbose_name=_("异议的公示名单"), on_delete=models.PROTECT,
                              related_name="objections")
    region = models.ForeignKey(Region, verbose_name=_("所属区域"), on_delete=models.PROTECT, related_name="+",
                               help_text=_("公示名单所在村（社区）：决定哪些民政人员办理此异议"))
    channel = models.CharField(_("提出方式"), max_length=8, choices=Channel.choices)
    objector_name = models.CharField(_("异议人"), max_length=50, blank=True)
    contact = models.CharField(_("联系方式"), max_length=50, blank=True)
    content = models.TextField(_("异议内容"), max_length=1000)
    received_on = models.DateField(_("收到日期"))
    due_on = models.DateField(_("办理期限"))
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.RECEIVED)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    # The investigation (核查) by the area's officers.
    investigation = models.TextField(_("核查情况"), blank=True)
    visited_on = models.DateField(_("入户核查日期"), null=True, blank=True)
    investigated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("核查人"), null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="+")
    # The decision (成立 / 不成立) and its reason, which the objector reads with number and code.
    decision_reason = models.TextField(_("处理结果及理由"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("办结人"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("公示异议")
        verbose_name_plural = _("公示异议")
        ordering = [models.F("decided_at").asc(nulls_first=True), "due_on", "id"]
        permissions = [("investigate_objection", _("可登记公示异议的核查情况")),
                       ("decide_objection", _("可办结公示异议"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["received", "investigating"]) | (
                    ~Q(decision_reason="") & Q(decided_by__isnull=False) & Q(decided_at__isnull=False)),
                name="objection_decided_with_reason",
                violation_error_message=_("办结异议须填写处理结果及理由")),
            models.CheckConstraint(condition=Q(due_on__gte=models.F("received_on")), name="objection_due_after_received",
                                   violation_error_message=_("办理期限不能早于收到日期")),
        ]
        indexes = [models.Index(fields=["region", "state"], name="objection_region_state_idx"),
                   models.Index(fields=["state", "due_on"], name="objection_state_due_idx")]

    def __str__(self):
        return self.number

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES


class CaseSequence(models.Model):
    """The last number used for a kind of public case (异议 YY, 复核 FH) in a year (locked while a
    number is taken: no gaps)."""

    prefix = models.CharField(_("编号前缀"), max_length=4)
    year = models.PositiveSmallIntegerField(_("年度"))
    last = models.PositiveIntegerField(_("已用的最后编号"), default=0)

    class Meta:
        verbose_name = _("异议复核编号序列")
        verbose_name_plural = _("异议复核编号序列")
        constraints = [models.UniqueConstraint(fields=["prefix", "year"], name="case_sequence_unique",
                                               violation_error_message=_("编号序列重复"))]

    def __str__(self):
        return f"{self.prefix}{self.year}: {self.last}"
