"""Applications in the admin: read-only, area-scoped (civil affairs), all for auditors. Clerks work
in their own workspace (/workspace/, views.py); scans open through its logged view. assistance/admin.py
registers these admins."""
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from fundportal.admin_utils import AppendOnlyAdmin, CappedCountPaginator, NoStoreMixin
from fundportal.history_admin import HistoryAdmin
from fundportal.masking import mask_bank_account, mask_name, mask_phone, mask_resident_id
from fundportal.money import money_label
from fundportal.notices.selectors import notices_shown
from fundportal.workqueue_admin import work_queue_filter

from ..payouts.selectors import payment_status
from . import selectors
from .models import Application
from .queue import COSTING_QUEUE
from .selectors import notice_settings_text


class ApplicationAdmin(NoStoreMixin, AppendOnlyAdmin, HistoryAdmin):
    list_display = ("number", "masked_name", "masked_id", "region", "year", "state", "submitted_at")
    list_filter = (work_queue_filter(COSTING_QUEUE), "state", "year")
    list_select_related = ("person", "region")
    search_fields = ("number__exact",)
    show_full_result_count = False
    paginator = CappedCountPaginator
    fields = ("number", "masked_name", "masked_id", "region", "year", "state", "withdrawn_reason", "review_case",
              "phone_masked", "notice_settings", "account_masked", "insured_out_of_pocket", "other_assistance", "extra",
              "entered_by", "submitted_at")
    change_form_template = "admin/assistance/application/change_form.html"
    readonly_fields = fields

    def get_queryset(self, request):
        return selectors.applications_for_user(user=request.user)

    def get_fields(self, request, obj=None):
        if obj is not None and obj.state == Application.State.WITHDRAWN:
            return self.fields  # 终止原因: the applicant died or moved away
        return tuple(field for field in self.fields if field != "withdrawn_reason")

    @admin.display(description=_("申请人"))
    def masked_name(self, application):
        return mask_name(application.person.name)

    @admin.display(description=_("身份证号码"))
    def masked_id(self, application):
        return mask_resident_id(application.person.resident_id)

    @admin.display(description=_("联系电话"))
    def phone_masked(self, application):
        return mask_phone(application.phone)

    @admin.display(description=_("短信通知"))
    def notice_settings(self, application):
        return notice_settings_text(application)

    @admin.display(description=_("收款账户"))
    def account_masked(self, application):
        return (f"{mask_name(application.account_holder)}，{application.bank_name}，"
                f"{mask_bank_account(application.account_number)}")

    @admin.display(description=_("其他医疗费用"))
    def extra(self, application):
        return format_html_join(mark_safe("<br>"), "{} {} {}", (
            (cost.institution, cost.invoice_number, money_label(cost.amount))
            for cost in application.extra_costs.all())) or "-"

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # Only the scans this user may open (per request: the admin instance is shared).
        application = self.get_object(request, unquote(object_id)) if object_id else None
        documents = selectors.documents_for_user(user=request.user).filter(application=application)
        return super().changeform_view(request, object_id, form_url, {
            **(extra_context or {}), "documents": documents, "notices": notices_shown(application, user=request.user),
            "decision": payment_status(application) if application else None})


class DocumentAccessAdmin(AppendOnlyAdmin):
    """Who opened which scan, when: for auditors."""

    list_display = ("opened_at", "user", "document_application", "document_kind")
    list_filter = ("opened_at",)
    list_select_related = ("user", "document", "document__application")
    date_hierarchy = "opened_at"

    @admin.display(description=_("申请编号"))
    def document_application(self, access):
        return access.document.application.number

    @admin.display(description=_("材料"))
    def document_kind(self, access):
        return access.document.get_kind_display()
