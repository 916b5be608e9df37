"""Outreach (应助未助) in the admin: the tasks of the officer's area, each task's page with its
contacts and — for the village's officer while it is open — the form recording the next contact,
and the per-town report (screen and .xlsx).

Every list, page and report goes through selectors.outreach_tasks_for_user (or the report's own
scoping), so an officer only reaches their own area; a task of another area is a 404. Nothing is
edited in the change form: a contact is recorded through services.outreach_contact_record, which
checks the permission, the area and the state again under the task's lock. assistance/admin.py
registers this admin.
"""
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, gettext_lazy as _

from fundportal.admin_utils import CappedCountPaginator, NoStoreMixin, ignored_filter_message, int_param
from fundportal.forms import form_add_service_errors
from fundportal.history_admin import HistoryAdmin
from fundportal.masking import mask_name, mask_resident_id
from fundportal.responses import no_store

from ..admin_common import DueFilter, TownFilter, due_cell, page_context
from . import report, selectors, services
from .forms import ContactForm
from .models import OutreachTask

State = OutreachTask.State


class OutreachDueFilter(DueFilter):
    title = _("联系期限")
    open_states = (State.OPEN,)


def may_record(user, task: OutreachTask) -> bool:
    """Whether to offer the contact form: the village's officer, while the task is open."""
    return (user.has_perm("assistance.record_outreachcontact") and task.state == State.OPEN
            and user.region is not None and user.region.contains(task.region))


def area_name(region) -> str:
    """A village with its town (塘下镇 韩田村); a town alone."""
    parent = region.parent if region.parent_id and region.level == region.Level.VILLAGE else None
    return f"{parent.name} {region.name}" if parent else region.name


class OutreachTaskAdmin(NoStoreMixin, HistoryAdmin):
    list_display = ("masked_name", "masked_id", "village", "year", "state", "due", "outcome", "contacts_shown",
                    "opened_on")
    list_filter = ("state", OutreachDueFilter, "outcome", TownFilter)
    list_select_related = ("review_case__person", "region__parent")
    search_fields = ("review_case__person__name__exact", "review_case__person__resident_id__exact")
    search_help_text = _("按姓名或身份证号码精确查找（仅本辖区）")
    show_full_result_count = False
    paginator = CappedCountPaginator
    change_form_template = "admin/assistance/outreachtask/change_form.html"
    change_list_template = "admin/assistance/outreachtask/change_list.html"
    fields = readonly_fields = ("person_name", "person_resident_id", "village", "year", "category", "determined",
                                "state", "opened_at", "due", "outcome", "closed_at")

    def get_queryset(self, request):
        return selectors.outreach_tasks_for_user(user=request.user).annotate(contact_count=Count("contacts"))

    def has_add_permission(self, request):
        return False  # opened by the daily run

    def has_change_permission(self, request, obj=None):
        return False  # contacts are recorded through their own form and service

    def has_delete_permission(self, request, obj=None):
        return False

    # ----------------------------------------------------------------------------------- columns

    @admin.display(description=_("姓名"))
    def masked_name(self, task):
        return mask_name(task.review_case.person.name)

    @admin.display(description=_("身份证号码"))
    def masked_id(self, task):
        return mask_resident_id(task.review_case.person.resident_id)

    @admin.display(description=_("姓名"))
    def person_name(self, task):
        return task.review_case.person.name  # the village's officer visits the family by name

    @admin.display(description=_("身份证号码"))
    def person_resident_id(self, task):
        return mask_resident_id(task.review_case.person.resident_id)  # not needed to make contact

    @admin.display(description=_("村（社区）"))
    def village(self, task):
        return area_name(task.region)

    @admin.display(description=_("认定类别"))
    def category(self, task):
        return task.review_case.category or "—"

    @admin.display(description=_("认定时间"))
    def determined(self, task):
        at = task.review_case.determined_at
        return date_format(timezone.localtime(at).date()) if at else "—"

    @admin.display(description=_("联系期限"), ordering="due_on")
    def due(self, task):
        return due_cell(task.due_on, is_open=task.state == State.OPEN)

    @admin.display(description=_("联系次数"), ordering="contact_count")
    def contacts_shown(self, task):
        return task.contact_count

    @admin.display(description=_("生成日期"), ordering="opened_at")
    def opened_on(self, task):
        return date_format(timezone.localtime(task.opened_at).date())

    # ---------------------------------------------------------------------------------- the page

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("report/", wrap(self.report_view), name="assistance_outreachtask_report"),
            path("<int:pk>/contact/", wrap(self.contact_view), name="assistance_outreachtask_contact"),
        ] + super().get_urls()

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if object_id is None:  # no add page: Django's answer (403)
            return super().changeform_view(request, object_id, form_url, extra_context)
        task = self.get_object(request, unquote(object_id))  # 404 if malformed, missing or elsewhere
        extra = {"contacts": task.contacts.select_related("recorded_by"),
                 "contact_form": ContactForm() if may_record(request.user, task) else None,
                 "case_url": reverse("admin:assistance_reviewcase_change", args=[task.review_case_id])
                 if request.user.has_perm("assistance.view_reviewcase") else ""}
        return super().changeform_view(request, object_id, form_url, {**(extra_context or {}), **extra})

    def contact_view(self, request, pk):
        """The contact form's page: shown again with the service's refusal, if any."""
        task = get_object_or_404(self.get_queryset(request), pk=pk)  # another area's task: 404
        if not request.user.has_perm("assistance.record_outreachcontact"):
            raise PermissionDenied
        back = HttpResponseRedirect(reverse("admin:assistance_outreachtask_change", args=[task.pk]))
        if task.state != State.OPEN:
            messages.error(request, gettext("该跟进任务已办结（%(outcome)s），不能再登记联系情况") % {
                "outcome": task.get_outcome_display()})
            return back
        form = ContactForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.outreach_contact_record(task=task, acting_user=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form_add_service_errors(form, exc)
            else:
                task.refresh_from_db()
                messages.success(request, gettext("已登记联系情况") if task.state == State.OPEN
                                 else gettext("已登记联系情况，跟进任务已办结（%(outcome)s）") % {
                                     "outcome": task.get_outcome_display()})
                return back
        return no_store(render(request, "admin/assistance/outreachtask/contact.html", page_context(
            self, request, task=task, form=form, title=f"{task.review_case.person.name}：{gettext('登记联系情况')}")))

    # -------------------------------------------------------------------------------- the report

    def report_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        years = report.report_years(user=request.user)
        asked = request.GET.get("year")
        year = int_param(asked)
        if asked and not (year is not None and settings.DATA_EARLIEST_DATE.year <= year <= timezone.localdate().year):
            ignored_filter_message(request, _("年度"))  # a year with no data in the area is still a year
            year = None
        if year is None:
            year = years[0] if years else timezone.localdate().year - 1
        years = sorted({*years, year}, reverse=True)
        rows = report.outreach_report(user=request.user, year=year)
        area_title = report.report_area_title(user=request.user)
        if request.GET.get("format") == "xlsx":
            response = HttpResponse(report.report_xlsx(rows, year=year, area_title=area_title),
                                    content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            response["Content-Disposition"] = f'attachment; filename="outreach-{year}.xlsx"'
            return no_store(response)
        return no_store(render(request, "admin/assistance/outreachtask/report.html", page_context(
            self, request, title=gettext("%(year)s 年应助未助跟进情况（按%(area)s）") % {"year": year, "area": area_title},
            rows=rows, columns=report.COLUMNS, years=years, year=year, area_title=area_title)))
