"""复核 in the admin: the appeals each officer handles (selectors.appeals_for_user), the deadline
with overdue ones marked, and on an appeal's page the decision form — 维持原决定 or 撤销原决定，重新
办理, with the reason — shown only to someone who may decide that kind of appeal. The form posts to
a page that calls services.appeal_decide, which checks everything again (the original decider, the
area, the state) under its locks. Nothing is edited in the plain change form. assistance/admin.py
registers this admin.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from fundportal.admin_utils import CappedCountPaginator, NoStoreMixin, error_text
from fundportal.history_admin import HistoryAdmin
from fundportal.masking import mask_name
from fundportal.money import money_label
from fundportal.workqueue_admin import work_queue_filter

from ..admin_common import DueFilter, TownFilter
from . import selectors, services
from .models import Appeal
from .queue import APPEAL_QUEUE


class DecideForm(forms.Form):
    reopen = forms.TypedChoiceField(label=_("复核结论"), coerce=lambda value: value == "reopen",
                                    widget=forms.RadioSelect,
                                    choices=[("uphold", _("维持原决定")), ("reopen", _("撤销原决定，重新办理"))])
    reason = forms.CharField(label=_("复核结论及理由"), max_length=services.REASON_MAX,
                             widget=forms.Textarea({"rows": 5, "cols": 60}),
                             help_text=_("申请人将看到这段理由；撤销的，案件退回原环节重新办理"))


class OverdueFilter(DueFilter):
    open_states = (Appeal.State.RECEIVED,)


class AppealAdmin(NoStoreMixin, HistoryAdmin):
    list_display = ("number", "application_number", "masked_name", "kind", "region", "channel", "filed_on", "due",
                    "state")
    list_filter = (work_queue_filter(APPEAL_QUEUE), "state", "kind", OverdueFilter, TownFilter, "channel")
    list_select_related = ("application__person", "region")
    search_fields = ("number__exact", "application__number__exact")
    search_help_text = _("按复核编号或申请编号精确查找")
    show_full_result_count = False
    paginator = CappedCountPaginator
    change_form_template = "admin/assistance/appeal/change_form.html"
    fields = ("number", "kind", "application_number", "masked_name", "region", "decision", "channel", "grounds",
              "filed_on", "due", "recorded_by", "state", "decision_reason", "decided_by", "decided_at")
    readonly_fields = fields

    def get_queryset(self, request):
        return selectors.appeals_for_user(user=request.user)

    def has_add_permission(self, request):
        return False  # a clerk records one in the workspace; families send theirs from the progress page

    def has_change_permission(self, request, obj=None):
        return False  # the decision is its own form, through services.appeal_decide

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("申请编号"), ordering="application__number")
    def application_number(self, appeal):
        return appeal.application.number

    @admin.display(description=_("申请人"))
    def masked_name(self, appeal):
        return mask_name(appeal.application.person.name)

    @admin.display(description=_("办理期限"), ordering="due_on")
    def due(self, appeal):
        day = date_format(appeal.due_on)
        if appeal.state == Appeal.State.RECEIVED and appeal.due_on < timezone.localdate():
            return format_html('<span class="overdue">{}（已逾期）</span>', day)
        return day

    @admin.display(description=_("原决定"))
    def decision(self, appeal):
        if appeal.kind == Appeal.Kind.ELIGIBILITY:
            case = appeal.review_case
            when = f"，{date_format(timezone.localtime(case.determined_at), 'Y-m-d')}" if case.determined_at else ""
            return f"民政认定：{case.get_state_display()}{when}"
        item = appeal.item
        amount = f" {money_label(item.amount)}" if item.decision == item.Decision.APPROVE else ""
        return f"理事会决议 {item.resolution.number}：{item.get_decision_display()}{amount}"

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [path("<int:pk>/decide/", wrap(self.decide_view), name="assistance_appeal_decide"),
                *super().get_urls()]

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        appeal = self.get_object(request, unquote(object_id)) if object_id else None  # 404 outside the user's sight
        form = DecideForm() if appeal is not None and selectors.appeal_may_decide(request.user, appeal) else None
        own = appeal is not None and appeal.state == Appeal.State.RECEIVED and \
            selectors.original_decider_id(appeal) == request.user.pk
        return super().changeform_view(request, object_id, form_url, {
            **(extra_context or {}), "decide_form": form,
            "decide_refusal": "原决定由您作出，复核须由其他人员办理" if own else ""})

    def decide_view(self, request, pk):
        """POST from the appeal's page: the decision, through the service; back to the page."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        appeal = self.get_object(request, str(pk))
        back = HttpResponseRedirect(reverse("admin:assistance_appeal_change", args=[appeal.pk]))
        if not request.user.has_perm(f"assistance.{selectors.appeal_decide_permission(appeal.kind)}"):
            raise PermissionDenied  # the service refuses the rest (its decider, its state), saying why
        form = DecideForm(request.POST)
        if not form.is_valid():
            messages.error(request, "；".join(f"{form.fields[name].label}：{'，'.join(errors)}"
                                             for name, errors in form.errors.items()))
            return back
        try:
            appeal = services.appeal_decide(appeal=appeal, acting_user=request.user, **form.cleaned_data)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, f"复核 {appeal.number} 已办结：{appeal.get_state_display()}")
        return back
