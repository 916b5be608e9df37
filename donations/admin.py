"""The Charity Federation's desk. Thin: every save and button calls a service."""

from django.contrib import admin, messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportMixin, ImportMixin

from fundportal.admin_utils import NoStoreMixin, adopt_saved, error_text
from fundportal.history_admin import HistoryAdmin
from fundportal.masking import mask_phone, mask_resident_id
from fundportal.money import money_label
from fundportal.notices.selectors import notices_shown
from fundportal.responses import no_store
from fundportal.services import export_log_record

from . import pdf, selectors, services
from .forms import (
    DONATION_FIELDS, DonationForm, DonationImportForm, DonorForm, FiscalBillForm, PledgeAddForm, ReasonForm,
)
from .idempotency import IdempotencyConflict
from .models import Campaign, Donation, Donor, Pledge, PledgeInstalment, Receipt
from .resources import IMPORT_FORMATS, DonationExportResource, DonationImportResource


@admin.register(Donor)
class DonorAdmin(NoStoreMixin, HistoryAdmin):
    form = DonorForm
    list_display = ("name", "kind", "org_kind", "code_masked", "contact_person", "phone_masked", "notice_consent",
                    "created_at")
    list_filter = ("kind", "org_kind")
    # Not by resident ID: a search term travels in the URL, and ID numbers never do.
    search_fields = ("name", "=uscc")
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        return ("kind", "uscc", "resident_id") if obj else ()

    @admin.display(description=_("证件号码"))
    def code_masked(self, donor):
        return donor.uscc or mask_resident_id(donor.resident_id)

    @admin.display(description=_("联系电话"))
    def phone_masked(self, donor):
        return mask_phone(donor.phone)

    def save_model(self, request, obj, form, change):
        if change:
            services.donor_update(donor=obj, acting_user=request.user, **{
                name: form.cleaned_data[name] for name in form.changed_data
                if name not in {"kind", "uscc", "resident_id"}})
        else:
            adopt_saved(obj, services.donor_create(acting_user=request.user, **{
                name: form.cleaned_data.get(name) or "" for name in DonorForm.Meta.fields}))


@admin.register(Campaign)
class CampaignAdmin(HistoryAdmin):
    list_display = ("name", "starts_on", "ends_on")
    search_fields = ("name",)


class InstalmentInline(admin.TabularInline):
    model = PledgeInstalment
    fields = ("sequence", "due_on", "amount")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Pledge)
class PledgeAdmin(HistoryAdmin):
    list_display = ("donor", "total", "signed_on", "campaign", "arrears")
    list_select_related = ("donor", "campaign")
    autocomplete_fields = ("donor",)
    search_fields = ("donor__name", "=donor__uscc")
    inlines = [InstalmentInline]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = PledgeAddForm
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["donor", "campaign", "total", "signed_on", "instalment_count", "first_due_on",
                    "months_between", "note"]
        return ["donor", "campaign", "total", "signed_on", "note", "progress"]

    def get_readonly_fields(self, request, obj=None):
        return ("donor", "campaign", "total", "signed_on", "progress") if obj else ()

    def get_inlines(self, request, obj):
        return [InstalmentInline] if obj else []

    @admin.display(description=_("逾期欠缴（元）"))
    def arrears(self, pledge):
        return selectors.pledge_progress(pledge=pledge).arrears  # pledges are few: one query per row is fine

    @admin.display(description=_("到账情况"))
    def progress(self, pledge):
        p = selectors.pledge_progress(pledge=pledge)
        return format_html("已到账 {}，未到账 {}，其中逾期欠缴 {}", money_label(p.received), money_label(p.outstanding),
                           money_label(p.arrears))

    def save_model(self, request, obj, form, change):
        if change:
            if "note" in form.changed_data:
                services.pledge_update_note(pledge=obj, note=form.cleaned_data["note"], acting_user=request.user)
            return
        data = form.cleaned_data
        schedule = services.pledge_schedule_even(total=data["total"], count=data["instalment_count"],
                                                 first_due=data["first_due_on"], months_between=data["months_between"])
        adopt_saved(obj, services.pledge_create(donor=data["donor"], total=data["total"], signed_on=data["signed_on"],
                                           instalments=schedule, campaign=data["campaign"], note=data["note"],
                                           acting_user=request.user))

    def save_related(self, request, form, formsets, change):
        pass  # instalments are written by pledge_create

    change_form_template = "admin/donations/pledge/change_form.html"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        pledge = self.get_object(request, object_id)
        instalments = pledge.instalments.all() if pledge else []
        return super().change_view(request, object_id, form_url, {
            **(extra_context or {}), "notices": _notices_of(instalments, request.user),
            "notices_empty": _("尚无认捐分期的到期或逾期提醒")})


class ReceiptInline(admin.TabularInline):
    model = Receipt
    fields = ("number_link", "donor_name", "amount", "status", "issued_at", "void_reason")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("收据编号"))
    def number_link(self, receipt):
        return format_html('<a href="{}">{}</a>', reverse("admin:donations_receipt_change", args=[receipt.pk]),
                           receipt.number)


@admin.register(Donation)
class DonationAdmin(NoStoreMixin, ImportMixin, ExportMixin, HistoryAdmin):
    form = DonationForm
    list_display = ("received_on", "donor_name", "amount", "channel", "campaign", "status", "receipt_number")
    list_filter = ("status", "channel", "campaign", "is_anonymous")
    list_select_related = ("donor", "campaign")
    search_fields = ("=bank_reference", "donor__name", "=donor__uscc", "=receipts__number")
    date_hierarchy = "received_on"
    autocomplete_fields = ("donor",)
    show_full_result_count = False
    inlines = [ReceiptInline]
    import_template_name = "admin/donations/donation/import.html"
    import_formats = IMPORT_FORMATS
    change_form_template = "admin/donations/donation/change_form.html"

    import_form_class = DonationImportForm

    def add_data_read_fail_error_to_form(self, form, exc):
        # import-export's own message names only the exception's class, in English.
        form.add_error("import_file", error_text(exc) if isinstance(exc, ValidationError)
                       else "无法读取该文件：请确认所选格式与文件一致（CSV 或 .xlsx），且文件未损坏")

    def get_import_resource_classes(self, request):
        return [DonationImportResource]

    def get_export_resource_classes(self, request):
        return [DonationExportResource]

    def get_import_resource_kwargs(self, request, **kwargs):
        return {**super().get_import_resource_kwargs(request, **kwargs), "acting_user": request.user}

    def has_import_permission(self, request):
        return request.user.has_perm("donations.add_donation")

    def has_export_permission(self, request):
        return request.user.has_perm("donations.view_donation")

    def process_import(self, request, **kwargs):
        # Two clicks on "confirm" post the same previewed file twice: only the first one imports.
        key = f"donation-import:{request.POST.get('import_file_name', '')}"
        if not cache.add(key, request.user.pk, timeout=24 * 3600):
            messages.error(request, "该文件已经导入（或正在导入），没有重复导入。")
            return HttpResponseRedirect(reverse("admin:donations_donation_changelist"))
        return super().process_import(request, **kwargs)

    def get_data_for_export(self, request, queryset, **kwargs):
        data = super().get_data_for_export(request, queryset, **kwargs)
        export_log_record(acting_user=request.user, what="捐赠明细", row_count=len(data), filters=request.GET.dict())
        return data

    def get_queryset(self, request):
        return selectors.donations_for_user(user=request.user).prefetch_related("receipts")

    def get_readonly_fields(self, request, obj=None):
        return DONATION_FIELDS + ["status", "cancel_reason", "recorded_by", "recorded_at"] if obj else []

    def get_fields(self, request, obj=None):
        fields = DONATION_FIELDS + ["submission_key"]
        return self.get_readonly_fields(request, obj) if obj else fields

    def get_inlines(self, request, obj):
        return [ReceiptInline] if obj else []

    @admin.display(description=_("捐赠方"), ordering="donor__name")
    def donor_name(self, donation):
        return donation.donor_display

    @admin.display(description=_("收据编号"))
    def receipt_number(self, donation):
        return donation.valid_receipt_number()

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        return type(form.__name__, (form,), {"acting_user": request.user}) if not change else form

    def add_view(self, request, form_url="", extra_context=None):
        try:
            return super().add_view(request, form_url, extra_context)
        except IdempotencyConflict as exc:
            # The same form sent again with other values (back button, edit, send): nothing new is
            # recorded; the clerk is told and sent to the donation the form recorded first.
            messages.error(request, error_text(exc))
            return HttpResponseRedirect(reverse("admin:donations_donation_change", args=[exc.params["donation"].pk]))

    def save_model(self, request, obj, form, change):
        if change:
            return  # a recorded donation is never edited: cancel it and record it again
        data = form.cleaned_data
        adopt_saved(obj, services.donation_record(acting_user=request.user, idempotency_key=data["submission_key"],
                                                  **{k: data[k] for k in DONATION_FIELDS}))

    def log_addition(self, request, obj, message):
        if not getattr(obj, "replayed", False):  # a resubmission added nothing
            return super().log_addition(request, obj, message)

    def response_add(self, request, obj, post_url_continue=None):
        # Straight to the recorded donation: its receipt number and code are what the clerk needs next.
        numbers = ", ".join(r.number for r in obj.receipts.all())
        if getattr(obj, "replayed", False):
            messages.info(request, f"这张表单已经提交过：捐赠已登记，收据 {numbers}，没有重复登记。")
        else:
            messages.success(request, f"已登记捐赠并开具收据 {numbers}。")
        return HttpResponseRedirect(reverse("admin:donations_donation_change", args=[obj.pk]))

    def get_urls(self):
        return [path("<int:pk>/cancel/", self.admin_site.admin_view(self.cancel_view), name="donations_donation_cancel")
                ] + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        donation = self.get_object(request, object_id)
        receipts = donation.receipts.all() if donation else []
        return super().change_view(request, object_id, form_url, {
            **(extra_context or {}), "notices": _notices_of(receipts, request.user)})

    def cancel_view(self, request, pk):
        if not request.user.has_perm("donations.void_receipt"):
            raise PermissionDenied
        donation = get_object_or_404(self.get_queryset(request), pk=pk)
        form = ReasonForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.donation_cancel(donation=donation, reason=form.cleaned_data["reason"], acting_user=request.user)
            except PermissionError as exc:
                raise PermissionDenied(str(exc)) from exc
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, "捐赠已撤销：收据已作废，收入已冲正。")
                return HttpResponseRedirect(reverse("admin:donations_donation_change", args=[pk]))
        return _reason_page(self, request, donation, form, "撤销捐赠",
                            "撤销后该笔收入将以冲正分录冲回，收据作废；原记录保留，不会删除。")


def _reason_page(model_admin, request, obj, form, title, help_text):
    context = {**model_admin.admin_site.each_context(request), "title": title, "object": obj, "form": form,
               "help_text": help_text, "opts": model_admin.model._meta}
    return no_store(render(request, "admin/donations/reason_form.html", context))


@admin.register(Receipt)
class ReceiptAdmin(NoStoreMixin, HistoryAdmin):
    list_display = ("number", "donor_name", "amount", "received_on", "status", "issued_at", "replaces")
    list_filter = ("status", "year", "is_organisation")
    list_select_related = ("replaces",)
    search_fields = ("=number", "donor_name")
    show_full_result_count = False
    change_form_template = "admin/donations/receipt/change_form.html"
    fields = ("number", "verification_code", "status", "donor_name", "amount", "received_on", "donation", "replaces",
              "issued_at",
              "issued_by", "void_reason", "voided_at", "voided_by", "fiscal_bill_number")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("公益事业捐赠票据"))
    def fiscal_bill_number(self, receipt):
        bill = getattr(receipt, "fiscal_bill", None)
        return f"{bill.bill_number}（校验码 {bill.check_code}）" if bill else "未登记"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        receipt = self.get_object(request, object_id)
        return super().change_view(request, object_id, form_url, {
            **(extra_context or {}), "notices": _notices_of([receipt] if receipt else [], request.user)})

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/void/", wrap(self.void_view), name="donations_receipt_void"),
            path("<int:pk>/print/", wrap(self.print_view), name="donations_receipt_print"),
            path("<int:pk>/certificate/", wrap(self.certificate_view), name="donations_receipt_certificate"),
            path("<int:pk>/fiscal-bill/", wrap(self.fiscal_bill_view), name="donations_receipt_fiscal_bill"),
        ] + super().get_urls()

    def _receipt(self, request, pk) -> Receipt:
        if not self.has_view_permission(request):
            raise PermissionDenied
        return get_object_or_404(Receipt.objects.select_related("donation__donor", "donation__campaign"), pk=pk)

    def void_view(self, request, pk):
        receipt = self._receipt(request, pk)
        if not request.user.has_perm("donations.void_receipt"):
            raise PermissionDenied
        form = ReasonForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                new = services.receipt_void_and_reissue(receipt=receipt, reason=form.cleaned_data["reason"],
                                                        acting_user=request.user)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, f"收据 {receipt.number} 已作废，已重开收据 {new.number}。")
                return HttpResponseRedirect(reverse("admin:donations_receipt_change", args=[new.pk]))
        return _reason_page(self, request, receipt, form, f"作废并重开收据 {receipt.number}",
                            "作废后将按捐赠方当前信息开具新收据，新收据注明所替代的收据编号。如捐赠方名称有误，请先修改捐赠方。")

    def print_view(self, request, pk):
        receipt = self._receipt(request, pk)
        if request.user.has_perm("donations.add_donation"):
            is_copy = services.receipt_print_record(receipt=receipt, acting_user=request.user)
        else:
            is_copy = True  # readers (auditors) see a copy and do not use up the original print
        return _pdf(pdf.receipt_pdf(receipt, copy=is_copy), f"receipt-{receipt.number}.pdf")

    def certificate_view(self, request, pk):
        receipt = self._receipt(request, pk)
        if not receipt.is_organisation:
            messages.error(request, "只有单位捐赠方可获得捐赠证书。")
            return HttpResponseRedirect(reverse("admin:donations_receipt_change", args=[pk]))
        return _pdf(pdf.certificate_pdf(receipt), f"certificate-{receipt.number}.pdf")

    def fiscal_bill_view(self, request, pk):
        receipt = self._receipt(request, pk)
        if not request.user.has_perm("donations.add_fiscalbill"):
            raise PermissionDenied
        form = FiscalBillForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.fiscal_bill_record(receipt=receipt, acting_user=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, "已登记公益事业捐赠票据号码。")
                return HttpResponseRedirect(reverse("admin:donations_receipt_change", args=[pk]))
        return _reason_page(self, request, receipt, form, f"登记公益事业捐赠票据（收据 {receipt.number}）",
                            "公益事业捐赠票据由财政电子票据系统开具，此处只登记其号码和校验码，便于对照。")


def _pdf(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return no_store(response)


def _notices_of(subjects, user) -> list:
    """The SMS notices of several subjects (a donation's receipts, a pledge's instalments), newest first."""
    shown = [notice for subject in subjects for notice in notices_shown(subject, user=user)]
    return sorted(shown, key=lambda notice: notice.created_at, reverse=True)
