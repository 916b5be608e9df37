"""The Charity Federation's payouts in the admin: a batch's page with its flags, the bank file
buttons, the result upload with what reconciliation found, and re-issue or cancel per payout.
Lists of payouts, bank results and flags (the flag report) only read. assistance/admin.py
registers these admins."""
from decimal import Decimal

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, OuterRef, Prefetch, Q, Subquery, Sum
from django.http import HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from fundportal.admin_utils import AppendOnlyAdmin, NoStoreMixin, error_text, money_column
from fundportal.history_admin import HistoryAdmin
from fundportal.masking import mask_bank_account, mask_name
from fundportal.workqueue_admin import work_queue_filter

from . import bank_results, services
from .forms import MAX_RESULT_FILE, BankResultForm, ReissueForm
from .models import BankResultLine, FraudFlag, Payout, PayoutBatch
from .queue import BATCH_QUEUE, FLAG_QUEUE

class PayoutBatchAdmin(NoStoreMixin, HistoryAdmin):
    list_display = ("number", "resolution", "state", "payout_count", "total", "open_flags", "prepared_by",
                    "prepared_at")
    list_filter = (work_queue_filter(BATCH_QUEUE), "state")
    search_fields = ("number",)
    list_select_related = ("resolution", "prepared_by")

    def get_queryset(self, request):
        live = Payout.objects.filter(batch=OuterRef("pk")).exclude(state=Payout.State.CANCELLED)
        return super().get_queryset(request).annotate(
            payout_count=Count("payouts", distinct=True),
            open_flags=Count("payouts__flags", filter=Q(payouts__flags__overridden_by__isnull=True), distinct=True),
            total=Subquery(live.values("batch").annotate(t=Sum("amount")).values("t")))

    @admin.display(description=_("笔数"))
    def payout_count(self, batch):
        return batch.payout_count

    @admin.display(description=_("未处理风险提示"))
    def open_flags(self, batch):
        return batch.open_flags

    @money_column(_("金额合计（元）"))
    def total(self, batch):
        return batch.total

    def has_add_permission(self, request):
        return False  # a batch is made from a signed resolution's page

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/export.<str:file_format>", wrap(self.export_view), name="assistance_payoutbatch_export"),
            path("<int:pk>/result/", wrap(self.result_view), name="assistance_payoutbatch_result"),
            path("payout/<int:pk>/<str:action>/", wrap(self.payout_view), name="assistance_payout_action"),
            path("flag/<int:pk>/override/", wrap(self.override_view), name="assistance_fraudflag_override"),
        ] + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        batch = self.get_object(request, unquote(object_id))  # 404 for a malformed or missing id
        if not self.has_view_permission(request, batch):
            raise PermissionDenied
        if request.method == "POST":
            return HttpResponseNotAllowed(["GET"])
        rows = list(batch.payouts.select_related("application__person", "reissue_of", "settled_by")
                    .select_related("reissued_as").prefetch_related("flags").order_by("id"))
        for payout in rows:
            payout.masked_name = mask_name(payout.account_holder)
            payout.masked_account = mask_bank_account(payout.account_number)
            payout.reissue = getattr(payout, "reissued_as", None)
            payout.can_reissue = payout.state in Payout.REISSUABLE_STATES and payout.reissue is None
        flags = [flag for payout in rows for flag in payout.flags.all()]
        user = request.user
        result_refusal = bank_results.bank_result_refusal(batch=batch, acting_user=user)
        return render(request, "admin/assistance/payoutbatch/detail.html", {
            **self.admin_site.each_context(request), "opts": self.model._meta, "batch": batch, "original": batch,
            "payouts": rows, "flags": flags, "open_flags": [f for f in flags if f.is_open],
            "results": batch.bank_results.select_related("imported_by").prefetch_related(
                Prefetch("rows", BankResultLine.objects.filter(outcome=BankResultLine.Outcome.MISMATCH),
                         to_attr="mismatches")),
            "can_export": user.has_perm("assistance.export_payoutbatch"),
            "exportable": any(p.state in (Payout.State.PENDING, Payout.State.SENT) for p in rows),
            # The upload only where importing can change something (payouts at the bank, or paid
            # ones it may still return); the refusal's reason to the others who reconcile.
            "can_reconcile": result_refusal is None,
            "result_refusal": error_text(result_refusal) if result_refusal is not None
            and user.has_perm("assistance.reconcile_payoutbatch") and batch.state != PayoutBatch.State.PREPARED
            else "",
            "can_prepare": user.has_perm("assistance.add_payoutbatch"),
            "can_override": user.has_perm("assistance.override_fraudflag"),
            "totals": {state: sum((p.amount for p in rows if p.state == state), start=Decimal("0.00"))
                       for state in Payout.State},
            "result_form": BankResultForm(), "reissue_form": ReissueForm(), "title": f"支付批次 {batch.number}"})

    def _back(self, batch_id: int):
        return HttpResponseRedirect(reverse("admin:assistance_payoutbatch_change", args=[batch_id]))

    def export_view(self, request, pk, file_format):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        batch = get_object_or_404(PayoutBatch, pk=pk)
        try:
            name, content = services.batch_export(batch=batch, acting_user=request.user, file_format=file_format)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, error_text(exc))
            return self._back(pk)
        kind = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" if file_format == "xlsx"
                else "text/csv; charset=utf-8")
        response = HttpResponse(content, content_type=kind)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response["Cache-Control"] = "no-store"
        return response

    def result_view(self, request, pk):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        batch = get_object_or_404(PayoutBatch, pk=pk)
        form = BankResultForm(request.POST, request.FILES)
        if not form.is_valid():
            messages.error(request, "请选择银行回单文件")
            return self._back(pk)
        upload = form.cleaned_data["file"]
        if upload.size > MAX_RESULT_FILE:
            messages.error(request, "文件超过 5 MB，请分批导入")
            return self._back(pk)
        try:
            result = bank_results.bank_result_import(batch=batch, content=upload.read(), file_name=upload.name,
                                                     acting_user=request.user)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, f"已导入回单 {result.file_name}（{result.rows.count()} 行），正在逐笔对账")
        return self._back(pk)

    def payout_view(self, request, pk, action):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        payout = get_object_or_404(Payout, pk=pk)
        try:
            if action == "cancel":
                services.payout_cancel(payout=payout, acting_user=request.user, reason=request.POST.get("reason", ""))
                messages.success(request, f"已取消 {payout.reference}")
            elif action == "reissue":
                form = ReissueForm(request.POST)
                if not form.is_valid():
                    raise ValidationError("请填写收款人、开户银行和银行账号")
                reissue = services.payout_reissue(payout=payout, acting_user=request.user, **form.cleaned_data)
                messages.success(request, f"已生成重新支付 {reissue.reference}（批次 {reissue.batch.number}）")
                return self._back(reissue.batch_id)
            else:
                raise PermissionDenied
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, error_text(exc))
        return self._back(payout.batch_id)

    def override_view(self, request, pk):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        flag = get_object_or_404(FraudFlag.objects.select_related("payout"), pk=pk)
        try:
            services.flag_override(flag=flag, acting_user=request.user, reason=request.POST.get("reason", ""))
            messages.success(request, f"已核实放行：{flag.payout.reference} {flag.get_kind_display()}")
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, error_text(exc))
        return self._back(flag.payout.batch_id)


class PayoutAdmin(NoStoreMixin, AppendOnlyAdmin, HistoryAdmin):
    list_display = ("reference", "batch", "application", "masked_holder", "amount", "state", "settled_at")
    list_filter = ("state",)
    search_fields = ("reference__exact", "application__number__exact")
    list_select_related = ("batch", "application")
    fields = readonly_fields = ("reference", "batch", "application", "masked_holder", "amount", "state",
                                "bank_message", "reissue_of", "ledger_entry", "reversal_entry", "settled_by",
                                "settled_at", "cancel_reason")

    @admin.display(description=_("收款人"))
    def masked_holder(self, payout):
        return mask_name(payout.account_holder)


class FraudFlagAdmin(NoStoreMixin, AppendOnlyAdmin, HistoryAdmin):
    """The flag report: every warning raised, open or cleared, and who cleared it and why."""

    list_display = ("raised_at", "payout", "batch_link", "kind", "detail", "overridden_by", "override_reason")
    list_filter = (work_queue_filter(FLAG_QUEUE), "kind", ("overridden_by", admin.EmptyFieldListFilter), "raised_at")
    list_select_related = ("payout__batch", "overridden_by")
    date_hierarchy = "raised_at"

    @admin.display(description=_("支付批次"))
    def batch_link(self, flag):
        # The batch's page is where a flag is cleared (核实放行) or its payout cancelled.
        return format_html('<a href="{}">{}</a>', reverse("admin:assistance_payoutbatch_change",
                                                          args=[flag.payout.batch_id]), flag.payout.batch.number)


class BankResultLineInline(admin.TabularInline):
    model = BankResultLine
    fields = readonly_fields = ("line", "reference", "amount", "bank_result", "message", "outcome", "problem")
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class BankResultAdmin(NoStoreMixin, AppendOnlyAdmin):
    list_display = ("imported_at", "batch", "file_name", "imported_by", "state", "paid", "failed", "returned",
                    "unchanged", "mismatched", "finished_at")
    list_select_related = ("batch", "imported_by")
    fields = readonly_fields = ("batch", "file_name", "sha256", "imported_by", "imported_at", "state", "attempts",
                                "error", "finished_at", "paid", "failed", "returned", "unchanged", "mismatched")
    inlines = [BankResultLineInline]
