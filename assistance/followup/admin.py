"""Follow-up of assisted families (防止返贫监测) in the admin: the follow-ups of the officer's area,
each one's page with what the family was given and its costs of the two years compared, and — for
the village's officer while it is open — the form recording the outcome.

Every list and page goes through selectors.follow_ups_for_user, so an officer only reaches their
own area; a follow-up of another area is a 404. Nothing is edited in the change form: the outcome
is recorded through services.followup_record, which checks the permission, the area and the state
again under the follow-up's lock. assistance/admin.py registers this admin.
"""
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.translation import gettext, gettext_lazy as _

from fundportal.admin_utils import CappedCountPaginator, CheckedListFilter, NoStoreMixin
from fundportal.forms import form_add_service_errors
from fundportal.history_admin import HistoryAdmin
from fundportal.masking import mask_name, mask_resident_id
from fundportal.responses import no_store
from fundportal.workqueue_admin import work_queue_filter

from ..admin_common import DueFilter, TownFilter, due_cell, page_context
from . import selectors, services
from .forms import RecordForm
from .models import FollowUp
from .queue import FOLLOWUP_QUEUE

State = FollowUp.State


class FollowUpDueFilter(DueFilter):
    title = _("跟进期限")
    open_states = (State.OPEN,)


class ReasonFilter(CheckedListFilter):
    title = _("监测原因")
    parameter_name = "reason"
    def lookups(self, request, model_admin):
        return list(FollowUp.reason_labels().items())

    def queryset(self, request, queryset):
        reason = self.cleaned()
        return queryset.filter(**{reason: True}) if reason else queryset


def may_record(user, follow_up: FollowUp) -> bool:
    """Whether to offer the form: the village's officer, while the follow-up is open."""
    return (user.has_perm("assistance.record_followup") and follow_up.state == State.OPEN
            and user.region is not None and user.region.contains(follow_up.region))


def area_name(region) -> str:
    """A village with its town (塘下镇 韩田村); a town alone."""
    parent = region.parent if region.parent_id and region.level == region.Level.VILLAGE else None
    return f"{parent.name} {region.name}" if parent else region.name


class FollowUpAdmin(NoStoreMixin, HistoryAdmin):
    list_display = ("masked_name", "masked_id", "village", "year", "reasons_shown", "out_of_pocket",
                    "previous_out_of_pocket", "assisted_years", "state", "due", "outcome")
    list_filter = (work_queue_filter(FOLLOWUP_QUEUE), "state", FollowUpDueFilter, TownFilter, ReasonFilter, "run")
    list_select_related = ("person", "region__parent", "run")
    search_fields = ("person__name__exact", "person__resident_id__exact")
    search_help_text = _("按姓名或身份证号码精确查找（仅本辖区）")
    show_full_result_count = False
    paginator = CappedCountPaginator
    change_form_template = "admin/assistance/followup/change_form.html"
    fields = readonly_fields = ("person_name", "person_resident_id", "village", "year", "run_shown", "reasons_shown",
                                "out_of_pocket", "previous_out_of_pocket", "assisted_years", "state", "opened_at",
                                "due", "outcome", "notes", "closed_by_shown", "closed_at")

    def get_queryset(self, request):
        return selectors.follow_ups_for_user(user=request.user)

    def has_add_permission(self, request):
        return False  # flagged when a screening is shared

    def has_change_permission(self, request, obj=None):
        return False  # the outcome is recorded through its own form and service

    def has_delete_permission(self, request, obj=None):
        return False

    # ----------------------------------------------------------------------------------- columns

    @admin.display(description=_("姓名"))
    def masked_name(self, follow_up):
        return mask_name(follow_up.person.name)

    @admin.display(description=_("身份证号码"))
    def masked_id(self, follow_up):
        return mask_resident_id(follow_up.person.resident_id)

    @admin.display(description=_("姓名"))
    def person_name(self, follow_up):
        return follow_up.person.name  # the village's officer contacts the family by name

    @admin.display(description=_("身份证号码"))
    def person_resident_id(self, follow_up):
        return mask_resident_id(follow_up.person.resident_id)  # not needed to make contact

    @admin.display(description=_("村（社区）"))
    def village(self, follow_up):
        return area_name(follow_up.region)

    @admin.display(description=_("监测原因"))
    def reasons_shown(self, follow_up):
        return "、".join(follow_up.reasons)

    # As text, not Django's link to the related page: officers may not open runs or users.
    @admin.display(description=_("筛查批次"))
    def run_shown(self, follow_up):
        return str(follow_up.run)

    @admin.display(description=_("办结人"))
    def closed_by_shown(self, follow_up):
        return str(follow_up.closed_by) if follow_up.closed_by_id else "—"

    @admin.display(description=_("跟进期限"), ordering="due_on")
    def due(self, follow_up):
        return due_cell(follow_up.due_on, is_open=follow_up.state == State.OPEN)

    # ---------------------------------------------------------------------------------- the page

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [path("<int:pk>/record/", wrap(self.record_view), name="assistance_followup_record"),
                ] + super().get_urls()

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if object_id is None:  # no add page: Django's answer (403)
            return super().changeform_view(request, object_id, form_url, extra_context)
        follow_up = self.get_object(request, unquote(object_id))  # 404 if malformed, missing or elsewhere
        extra = {"history": selectors.follow_up_history(follow_up),
                 "record_form": RecordForm() if may_record(request.user, follow_up) else None,
                 "case_url": reverse("admin:assistance_reviewcase_change", args=[follow_up.review_case_id])
                 if follow_up.review_case_id and request.user.has_perm("assistance.view_reviewcase") else ""}
        return super().changeform_view(request, object_id, form_url, {**(extra_context or {}), **extra})

    def record_view(self, request, pk):
        """The outcome form's page: shown again with the service's refusal, and what was typed."""
        follow_up = get_object_or_404(self.get_queryset(request), pk=pk)  # another area's: 404
        if not request.user.has_perm("assistance.record_followup"):
            raise PermissionDenied
        back = HttpResponseRedirect(reverse("admin:assistance_followup_change", args=[follow_up.pk]))
        if follow_up.state != State.OPEN:
            messages.error(request, gettext("该监测已办结（%(outcome)s），不能再登记") % {
                "outcome": follow_up.get_outcome_display()})
            return back
        form = RecordForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                follow_up = services.followup_record(follow_up=follow_up, acting_user=request.user,
                                                     **form.cleaned_data)
            except ValidationError as exc:
                form_add_service_errors(form, exc)
            else:
                messages.success(request, gettext("已登记跟进结果：%(outcome)s") % {
                    "outcome": follow_up.get_outcome_display()})
                return back
        return no_store(render(request, "admin/assistance/followup/record.html", page_context(
            self, request, follow_up=follow_up, form=form,
            title=f"{follow_up.person.name}：{gettext('登记跟进结果')}")))
