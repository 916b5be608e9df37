"""The council's secretary in the admin: assistance schemes (drafted here, approved by a
resolution, never edited once approved — a new version is one click away), meetings with
attendance, draft resolutions costed and fitted to the budget before anyone signs, and signed
resolutions that only read.

Every action is a POST to one small view that calls one service; nothing here writes a model
directly, so the services' checks (and the database's triggers) hold whichever page is used.
assistance/admin.py registers these admins.
"""
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from fundportal.admin_utils import NoStoreMixin, error_text, int_param
from fundportal.forms import form_add_service_errors
from fundportal.history_admin import HistoryAdmin
from fundportal.masking import mask_name
from fundportal.money import format_money, money_label
from fundportal.workqueue_admin import work_queue_filter

from ..payouts.services import payout_batch_create, payout_batch_refusal
from ..publicity.selectors import publicity_holds
from . import services
from .forms import MeetingForm, ReasonForm, ResolutionDraftForm, SchemeForm, SchemeRuleFormSet
from .models import Meeting, QuorumRule, Resolution, ResolutionItem, Scheme
from .queue import RESOLUTION_QUEUE
from .schemes import GUIDE_FIELDS, SCHEME_FIELDS, scheme_create, scheme_new_version, scheme_update
from .selectors import budget_now, quorum_for


def _rule_initial(scheme: Scheme) -> list[dict]:
    rows = []
    for rule in scheme.rules.select_related("category"):
        bands = rule.band_list()
        rows.append({"category": rule.category, "deductible": rule.deductible,
                     "uppers": ", ".join(f"{band.upper:f}" for band in bands if band.upper is not None),
                     "ratios": ", ".join(f"{band.ratio * 100:g}" for band in bands)})
    return rows


class SchemeAdmin(HistoryAdmin):
    form = SchemeForm
    list_display = ("__str__", "annual_cap", "rounding", "approved_at", "created_by")
    list_filter = ("year",)
    change_form_template = "admin/assistance/scheme/change_form.html"

    fields = readonly_fields = ("year", "version", "name", "annual_cap", "rounding", "count_extra_costs", "notes",
                                *GUIDE_FIELDS, "approved_at", "rule_table")  # the plain form: approved schemes only

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("规则"))
    def rule_table(self, scheme):
        return format_html_join(mark_safe("<br>"), "{}：起付 {}；{}", (
            (rule.category or "其他所有类别", money_label(rule.deductible), "；".join(
                f"{format_money(band.lower)}–{'' if band.upper is None else format_money(band.upper)} 元 "
                f"{band.ratio * 100:g}%" for band in rule.band_list())) for rule in scheme.rules.select_related("category")))

    def add_view(self, request, form_url="", extra_context=None):
        return self._edit(request, None)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        scheme = self.get_object(request, unquote(object_id))  # 404 for a malformed or missing id
        if scheme.is_approved or not self.has_change_permission(request, scheme):
            return super().change_view(request, object_id, form_url, {**(extra_context or {}), "scheme": scheme})
        return self._edit(request, scheme)

    def _edit(self, request, scheme: Scheme | None):
        """A draft: the scheme's fields and its rules on one page, saved through the services."""
        if not (self.has_add_permission(request) if scheme is None else self.has_change_permission(request, scheme)):
            raise PermissionDenied
        form = SchemeForm(request.POST or None, instance=scheme)
        if scheme is not None:
            form.fields["year"].disabled = True
        rules = SchemeRuleFormSet(request.POST or None, prefix="rules",
                                  initial=_rule_initial(scheme) if scheme else [{}])
        if request.method == "POST" and form.is_valid() and rules.is_valid():
            data = {field: form.cleaned_data[field] for field in SCHEME_FIELDS}
            rule_rows = [{"category": row["category"], "deductible": row["deductible"], "bands": row["bands"]}
                         for row in rules.cleaned_data if row and row.get("bands")]
            try:
                if scheme is None:
                    saved = scheme_create(acting_user=request.user, year=form.cleaned_data["year"], rules=rule_rows,
                                          **data)
                else:
                    saved = scheme_update(scheme=scheme, acting_user=request.user, rules=rule_rows, **data)
            except ValidationError as exc:
                form_add_service_errors(form, exc)
            else:
                messages.success(request, f"已保存 {saved}")
                return HttpResponseRedirect(reverse("admin:assistance_scheme_change", args=[saved.pk]))
        return render(request, "admin/assistance/scheme/edit.html", {
            **self.admin_site.each_context(request), "opts": self.model._meta, "form": form, "rules": rules,
            "scheme": scheme, "title": str(scheme) if scheme else "制定救助方案"})

    def get_urls(self):
        return [path("<int:pk>/new-version/", self.admin_site.admin_view(self.new_version_view),
                     name="assistance_scheme_new_version")] + super().get_urls()

    def new_version_view(self, request, pk):
        if request.method != "POST":
            raise PermissionDenied
        try:
            scheme = scheme_new_version(scheme=get_object_or_404(Scheme, pk=pk), acting_user=request.user)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, str(exc))
            return HttpResponseRedirect(reverse("admin:assistance_scheme_change", args=[pk]))
        messages.success(request, f"已新建 {scheme}，可以修改后提交理事会审议")
        return HttpResponseRedirect(reverse("admin:assistance_scheme_change", args=[scheme.pk]))


class CouncilMemberAdmin(HistoryAdmin):
    list_display = ("name", "order", "is_active")
    list_editable = ("order", "is_active")


class QuorumRuleAdmin(HistoryAdmin):
    list_display = ("__str__", "share", "strictly_more")

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not QuorumRule.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


class MeetingAdmin(NoStoreMixin, HistoryAdmin):
    list_display = ("held_on", "title", "place", "attendance_count", "resolution_count")
    date_hierarchy = "held_on"
    search_fields = ("title",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(attendance_count=Count("attendance", distinct=True),
                                                      resolution_count=Count("resolutions", distinct=True))

    @admin.display(description=_("出席单位"))
    def attendance_count(self, meeting):
        return meeting.attendance_count

    @admin.display(description=_("决议"))
    def resolution_count(self, meeting):
        return meeting.resolution_count

    def has_delete_permission(self, request, obj=None):
        return False

    def add_view(self, request, form_url="", extra_context=None):
        return self._edit(request, None)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return self._edit(request, self.get_object(request, unquote(object_id)))  # 404 for a malformed or missing id

    def _edit(self, request, meeting: Meeting | None):
        """The meeting and who attended on one page; its resolutions listed below."""
        can_edit = self.has_add_permission(request) if meeting is None else self.has_change_permission(request)
        if meeting is None and not can_edit:
            raise PermissionDenied
        if meeting is not None and not self.has_view_permission(request, meeting):
            raise PermissionDenied
        locked = meeting is not None and meeting.resolutions.filter(signed_at__isnull=False).exists()
        form = MeetingForm(request.POST or None, instance=meeting)
        if request.method == "POST" and can_edit and form.is_valid():
            fields = {name: form.cleaned_data[name] for name in ("held_on", "title", "place", "agenda", "minutes")}
            try:
                if meeting is None:
                    saved = services.meeting_record(acting_user=request.user, attendance=form.attendance_rows(),
                                                    **fields)
                else:
                    saved = services.meeting_update(meeting=meeting, acting_user=request.user,
                                                    attendance=form.attendance_rows(), **fields)
            except (ValidationError, PermissionDenied) as exc:
                if isinstance(exc, PermissionDenied):
                    raise
                form_add_service_errors(form, exc)
            else:
                messages.success(request, f"已保存会议记录：{saved}（{quorum_for(saved)}）")
                return HttpResponseRedirect(reverse("admin:assistance_meeting_change", args=[saved.pk]))
        return render(request, "admin/assistance/meeting/edit.html", {
            **self.admin_site.each_context(request), "opts": self.model._meta, "form": form, "meeting": meeting,
            "can_edit": can_edit and not locked, "locked": locked,
            "quorum": quorum_for(meeting) if meeting else None,
            "resolutions": meeting.resolutions.select_related("scheme") if meeting else [],
            "title": str(meeting) if meeting else "记录理事会会议"})


class ResolutionAdmin(NoStoreMixin, HistoryAdmin):
    list_display = ("number_shown", "title", "kind", "meeting", "approved", "signed_at")
    list_filter = (work_queue_filter(RESOLUTION_QUEUE), "kind", "year", ("signed_at", admin.EmptyFieldListFilter))
    list_select_related = ("meeting",)
    search_fields = ("title",)

    @admin.display(description=_("决议编号"), ordering="sequence")
    def number_shown(self, resolution):
        return resolution.number

    def has_delete_permission(self, request, obj=None):
        return False  # a draft is deleted by its own button, through the service

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/do/<str:action>/", wrap(self.action_view), name="assistance_resolution_action"),
            path("item/<int:pk>/<str:action>/", wrap(self.item_view), name="assistance_resolution_item"),
        ] + super().get_urls()

    def add_view(self, request, form_url="", extra_context=None):
        """Draft a resolution for a meeting (?meeting=…; ?amends=… for a correction)."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        meeting = Meeting.objects.filter(pk=int_param(request.GET.get("meeting")) or 0).first()
        if meeting is None:
            messages.info(request, "决议由会议通过：请先打开（或记录）会议，在会议页面起草决议")
            return HttpResponseRedirect(reverse("admin:assistance_meeting_changelist"))
        amends = Resolution.objects.filter(pk=int_param(request.GET.get("amends")) or 0).first()
        latest = Scheme.objects.filter(approved_at__isnull=False).order_by("-year", "-version").first()
        form = ResolutionDraftForm(request.POST or None, initial={"scheme": latest})
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                if data["kind"] == Resolution.Kind.SCHEME:
                    saved = services.resolution_draft_scheme(meeting=meeting, scheme=data["scheme"],
                                                             acting_user=request.user, title=data["title"],
                                                             text=data["text"])
                else:
                    saved = services.resolution_draft_payouts(
                        meeting=meeting, scheme=data["scheme"], acting_user=request.user, title=data["title"],
                        text=data["text"], over_budget=data["over_budget"], order=data["order"], amends=amends)
            except ValidationError as exc:
                form_add_service_errors(form, exc)
            else:
                messages.success(request, "决议草案已生成：请核对名单和金额，提交会议审议通过后签署")
                return HttpResponseRedirect(reverse("admin:assistance_resolution_change", args=[saved.pk]))
        return render(request, "admin/assistance/resolution/draft.html", {
            **self.admin_site.each_context(request), "opts": self.model._meta, "form": form, "meeting": meeting,
            "amends": amends, "budget": budget_now(), "title": "起草理事会决议"})

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The resolution as the council sees it: budget, quorum, every application and its figures."""
        resolution = self.get_object(request, unquote(object_id))  # 404 for a malformed or missing id
        if not self.has_view_permission(request, resolution):
            raise PermissionDenied
        if request.method == "POST":
            return HttpResponseNotAllowed(["GET"])  # every change is a named action, through a service
        items = list(resolution.items.select_related("application__person", "application__review_case__category")
                     .order_by("id"))
        for item in items:
            item.masked_name = mask_name(item.application.person.name)
        can_change = not resolution.is_signed and request.user.has_perm("assistance.change_resolution")
        # The batch button only where making a batch can succeed; to those who make batches, the
        # reason why not (on a signed list of payouts: made already, their own cases, …).
        batch_refusal = payout_batch_refusal(resolution=resolution, acting_user=request.user)
        explain_batch = (batch_refusal is not None and request.user.has_perm("assistance.add_payoutbatch")
                         and resolution.is_signed and resolution.kind == Resolution.Kind.PAYOUTS)
        return render(request, "admin/assistance/resolution/detail.html", {
            **self.admin_site.each_context(request), "opts": self.model._meta, "resolution": resolution,
            "original": resolution, "items": items, "budget": None if resolution.is_signed else budget_now(),
            "quorum": quorum_for(resolution.meeting), "can_change": can_change,
            "can_sign": can_change and request.user.has_perm("assistance.sign_resolution"),
            "can_delete": not resolution.is_signed and request.user.has_perm("assistance.delete_resolution"),
            "can_batch": batch_refusal is None, "batch_refusal": error_text(batch_refusal) if explain_batch else "",
            "batches": resolution.batches.all(), "amended_by": resolution.amended_by.filter(signed_at__isnull=False),
            "totals": _totals(items), "reason_form": ReasonForm(), "title": str(resolution),
            "publicity": publicity_holds(resolution) if resolution.is_signed else None})

    def action_view(self, request, pk, action):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        resolution = get_object_or_404(Resolution, pk=pk)
        here = reverse("admin:assistance_resolution_change", args=[pk])
        try:
            if action == "sign":
                signed = services.resolution_sign(resolution=resolution, acting_user=request.user)
                messages.success(request, f"决议已签署，编号 {signed.number}；此后不能修改")
            elif action == "recompute":
                services.resolution_recompute(resolution=resolution, acting_user=request.user)
                messages.success(request, "已按当前余额和数据重新测算")
            elif action == "delete":
                meeting_id = resolution.meeting_id
                services.resolution_delete_draft(resolution=resolution, acting_user=request.user)
                messages.success(request, "决议草案已删除")
                return HttpResponseRedirect(reverse("admin:assistance_meeting_change", args=[meeting_id]))
            elif action == "batch":
                batch = payout_batch_create(resolution=resolution, acting_user=request.user)
                messages.success(request, f"已生成支付批次 {batch.number}")
                return HttpResponseRedirect(reverse("admin:assistance_payoutbatch_change", args=[batch.pk]))
            else:
                raise PermissionDenied
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, error_text(exc))
        return HttpResponseRedirect(here)

    def item_view(self, request, pk, action):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        item = get_object_or_404(ResolutionItem, pk=pk)
        try:
            if action == "reject":
                form = ReasonForm(request.POST)
                services.resolution_item_reject(item=item, acting_user=request.user,
                                                reason=form.data.get("reason", ""))
                messages.success(request, f"申请 {item.application.number} 已改为不予救助，其余金额已重新测算")
            elif action == "restore":
                services.resolution_item_restore(item=item, acting_user=request.user)
                messages.success(request, f"申请 {item.application.number} 已恢复测算")
            else:
                raise PermissionDenied
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, error_text(exc))
        return HttpResponseRedirect(reverse("admin:assistance_resolution_change", args=[item.resolution_id]))


def _totals(items: list[ResolutionItem]) -> dict:
    count = {decision: sum(1 for i in items if i.decision == decision) for decision in ResolutionItem.Decision}
    return {"approve": count[ResolutionItem.Decision.APPROVE], "reject": count[ResolutionItem.Decision.REJECT],
            "defer": count[ResolutionItem.Decision.DEFER],
            "computed": sum((i.computed for i in items if i.decision != ResolutionItem.Decision.REJECT), start=0),
            "amount": sum((i.amount for i in items), start=0)}
