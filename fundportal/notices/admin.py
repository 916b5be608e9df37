"""The outbox in the admin: read-only, scoped (fundportal.notices.selectors), the phone masked on
every page. Rows are written only by the services; the one thing staff do here is send a failed or
uncertain notice again ("重新发送", fundportal.resend_notice). The outbox is its own log
(fundportal.history.NOT_TRACKED); a resend is recorded in the admin log and shown on the row."""
from django.contrib import admin, messages
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _, ngettext

from fundportal.admin_utils import AppendOnlyAdmin, CheckedListFilter, NoStoreMixin, error_text
from fundportal.history import when_text
from fundportal.masking import mask_phone

from .models import Notice
from .selectors import notice_text, notices_for_user
from .services import notice_resend
from .templates import TEMPLATES, template_label


class TemplateFilter(CheckedListFilter):
    title = _("模板")
    parameter_name = "template"

    def lookups(self, request, model_admin):
        return sorted(((code, template.label) for code, template in TEMPLATES.items()), key=lambda pair: pair[1])

    def queryset(self, request, queryset):
        code = self.cleaned()
        return queryset if code is None else queryset.filter(template=code)


@admin.register(Notice)
class NoticeAdmin(NoStoreMixin, AppendOnlyAdmin):
    list_display = ("created_at", "event_key", "template_name", "audience", "masked_phone", "state", "attempts",
                    "sent_at")
    list_filter = ("state", "audience", TemplateFilter)
    search_fields = ("^event_key",)
    show_full_result_count = False
    date_hierarchy = "created_at"
    actions = ["resend_selected"]
    fields = ("event_key", "recipient_key", "audience", "channel", "template_name", "text", "masked_phone",
              "subject", "state", "attempts", "created_at", "next_attempt_at", "claimed_at", "sent_at", "backend",
              "provider_message_id", "provider_reply", "resends")
    readonly_fields = fields

    def get_queryset(self, request):
        return notices_for_user(user=request.user)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.display(description=_("模板"), ordering="template")
    def template_name(self, notice):
        return template_label(notice.template)

    @admin.display(description=_("短信内容"))
    def text(self, notice):
        return notice_text(notice) or "—"

    @admin.display(description=_("手机号码"))
    def masked_phone(self, notice):
        return mask_phone(notice.phone)

    @admin.display(description=_("所属对象"))
    def subject(self, notice):
        if notice.subject_type is None:
            return "—"
        return f"{notice.subject_type.name} #{notice.subject_id}"

    @admin.display(description=_("重新发送记录"))
    def resends(self, notice):
        entries = (LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(Notice),
                                           object_id=str(notice.pk)).select_related("user").order_by("action_time"))
        return format_html_join("", "<p>{} {}：{}</p>", ((when_text(e.action_time), e.user, e.change_message)
                                                       for e in entries)) or "—"

    # ------------------------------------------------------------------------------ 重新发送

    def has_resend_permission(self, request):
        return request.user.has_perm("fundportal.resend_notice")

    @admin.action(description=_("重新发送选中的通知（仅限发送失败或结果不明的）"), permissions=["resend"])
    def resend_selected(self, request, queryset):
        done, refused = 0, []
        for notice in queryset.order_by("pk"):
            try:
                notice_resend(notice=notice, acting_user=request.user)
                done += 1
            except (ValidationError, PermissionDenied) as exc:
                refused.append(f"#{notice.pk}：{error_text(exc)}")
        if done:
            messages.success(request, ngettext("已重新发送 %(n)d 条通知", "已重新发送 %(n)d 条通知", done) % {"n": done})
        if refused:
            messages.warning(request, _("%(n)d 条未重新发送：") % {"n": len(refused)} + "；".join(refused[:10]))
