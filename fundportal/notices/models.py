"""The outbox: one row per (event, recipient), so an event told twice is stored once.

A row is sent by compare-and-set: only the worker that moves it from pending to sending calls the
provider. A worker killed mid-send leaves the row in "sending"; the sweep marks it uncertain
rather than sending it again (the provider may already have delivered it): staff see it and may
send it again by hand. The phone is kept for sending only; every list and log shows it masked."""
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Notice(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENDING = "sending", _("发送中")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")
        UNCERTAIN = "uncertain", _("结果不明，待核实")

    class Audience(models.TextChoices):
        FAMILY = "family", _("申请家庭")
        DONOR = "donor", _("捐赠方")
        STAFF = "staff", _("工作人员")

    class Channel(models.TextChoices):
        SMS = "sms", _("短信")

    event_key = models.CharField(_("事件"), max_length=120,
                                 help_text=_("同一事件对同一接收人只发送一次"))
    recipient_key = models.CharField(_("接收人"), max_length=80)
    audience = models.CharField(_("对象"), max_length=8, choices=Audience.choices)
    channel = models.CharField(_("渠道"), max_length=8, choices=Channel.choices, default=Channel.SMS)
    template = models.CharField(_("模板"), max_length=40)
    params = models.JSONField(_("模板参数"), default=dict)
    phone = models.CharField(_("手机号码"), max_length=20)
    # The case it belongs to (an application, a donation's receipt, a pledge instalment, a user).
    subject_type = models.ForeignKey(ContentType, verbose_name=_("所属对象类型"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    subject_id = models.PositiveBigIntegerField(_("所属对象"), null=True, blank=True)

    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("已尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次发送时间"))
    claimed_at = models.DateTimeField(_("开始发送时间"), null=True, blank=True)
    sent_at = models.DateTimeField(_("发送成功时间"), null=True, blank=True)
    backend = models.CharField(_("发送通道"), max_length=40, blank=True)
    provider_message_id = models.CharField(_("服务商回执编号"), max_length=80, blank=True)
    provider_reply = models.CharField(_("服务商答复"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        permissions = [("resend_notice", _("可重新发送结果不明的通知"))]
        constraints = [
            models.UniqueConstraint(fields=["event_key", "recipient_key"], name="notice_once_per_event_recipient",
                                    violation_error_message=_("该事件已通知过此接收人")),
            models.CheckConstraint(condition=~Q(state="sent") | Q(sent_at__isnull=False), name="notice_sent_has_time",
                                   violation_error_message=_("已发送的通知须有发送时间")),
        ]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="notice_due_idx"),
            models.Index(fields=["subject_type", "subject_id"], name="notice_subject_idx"),
        ]

    def __str__(self):
        return f"{self.template} → {self.recipient_key}"

    @classmethod
    def subject_of(cls, obj) -> dict:
        """The subject fields for a model instance (or none)."""
        if obj is None:
            return {"subject_type": None, "subject_id": None}
        return {"subject_type": ContentType.objects.get_for_model(obj), "subject_id": obj.pk}
