"""The civil-affairs desk in the admin: review cases (their list, page, bulk actions and export),
the categories, deadlines and overdue counts. The move pages and the report are admin_pages.py.

Every list, page, search, export and action goes through selectors.review_cases_for_user, so an
officer only ever reaches the cases of their own area; every change goes through a service in
assistance/review/services.py. Nothing is edited in the plain change form. assistance/admin.py
registers these admins.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from fundportal.admin_utils import CappedCountPaginator, NoStoreMixin, error_text
from fundportal.csvsafe import csv_lines
from fundportal.history_admin import HistoryAdmin
from fundportal.masking import mask_name, mask_resident_id
from fundportal.money import money_label
from fundportal.responses import no_store
from fundportal.workqueue_admin import work_queue_filter
from fundportal.services import export_log_record

from ..access import sees_all_medical_data
from ..admin_common import DueFilter, TownFilter
from . import selectors, services
from .admin_pages import ReviewCasePages, RunFilter, moves_for
from .models import ReviewCase, StateDeadline
from .queue import REVIEW_QUEUE


class OverdueFilter(DueFilter):
    open_states = tuple(ReviewCase.OPEN_STATES)


class ReviewCaseAdmin(ReviewCasePages, NoStoreMixin, HistoryAdmin):
    list_display = ("masked_name", "masked_id", "region", "year", "state", "due", "category", "valid_until_shown",
                    "source")
    list_filter = (work_queue_filter(REVIEW_QUEUE), "state", OverdueFilter, TownFilter, RunFilter, "category", "source")
    list_select_related = ("person", "region", "category")
    search_fields = ("person__name__exact",)
    search_help_text = _("按姓名精确查找（仅本辖区）")
    show_full_result_count = False
    paginator = CappedCountPaginator
    actions = ["dispatch_selected", "assign_selected", "export_selected"]
    change_form_template = "admin/assistance/reviewcase/change_form.html"
    change_list_template = "admin/assistance/reviewcase/change_list.html"
    fields = ("person_name", "person_resident_id", "year", "region", "source", "previous_shown", "state",
              "closed_reason", "state_since", "due", "household_income", "assets", "housing", "notes", "visited_on",
              "verified_by", "verified_at", "return_reason", "category", "decision_reason", "determined_by",
              "determined_at", "valid_until_shown", "figures")
    readonly_fields = fields

    def get_queryset(self, request):
        return selectors.review_cases_for_user(user=request.user)

    def get_fields(self, request, obj=None):
        hidden = set() if selectors.sees_household(request.user) else set(selectors.HOUSEHOLD_FIELDS)
        if obj is None or obj.state != ReviewCase.State.CLOSED:
            hidden.add("closed_reason")  # 终止原因: only a closed case has one
        if obj is None or obj.previous_id is None:
            hidden.add("previous_shown")
        return tuple(field for field in self.fields if field not in hidden)

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # every change is a move, through its own page and service

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("姓名"))
    def masked_name(self, case):
        return mask_name(case.person.name)

    @admin.display(description=_("身份证号码"))
    def masked_id(self, case):
        return mask_resident_id(case.person.resident_id)

    @admin.display(description=_("姓名"))
    def person_name(self, case):
        return case.person.name

    @admin.display(description=_("身份证号码"))
    def person_resident_id(self, case):
        return case.person.resident_id

    @admin.display(description=_("办理期限"), ordering="due_on")
    def due(self, case):
        if case.due_on is None:
            return "—"
        day = date_format(case.due_on)
        if case.is_open and case.due_on < timezone.localdate():
            return format_html('<span class="overdue">{}（已逾期）</span>', day)
        return day

    @admin.display(description=_("资格有效期至"), ordering="valid_until")
    def valid_until_shown(self, case):
        """An eligible decision's last valid day, marked 已到期 once it lapsed (rechecks.py)."""
        if case.valid_until is None:
            return "—"
        day = date_format(case.valid_until)
        if case.state == ReviewCase.State.ELIGIBLE and case.valid_until < timezone.localdate():
            return format_html('<span class="overdue">{}（{}）</span>', day, _("已到期"))
        return day

    @admin.display(description=_("上次认定"))
    def previous_shown(self, case):
        previous = case.previous
        if previous is None:
            return "—"
        text = f"{previous.year} 年度：{previous.get_state_display()}"
        if previous.category:
            text += f"（{previous.category}）"
        if previous.determined_at:
            text += f"，{date_format(timezone.localdate(previous.determined_at))}"
        return text

    @admin.display(description=_("预警数据"))
    def figures(self, case):
        target = case.target
        if target is None:
            return "—"
        return (f"个人自付 {money_label(target.out_of_pocket)}，医疗总费用 {money_label(target.total_cost)}，"
                f"结算 {target.settlement_count} 次")

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        case = self.get_object(request, unquote(object_id)) if object_id else None  # 404 if malformed, missing, elsewhere
        sees_household = case is not None and selectors.sees_household(request.user)
        changes = selectors.household_changes(case) if sees_household else None
        extra = {"moves": moves_for(request.user, case) if case else [],
                 "household": case.household.all() if sees_household else [], "changes": changes,
                 "previous_url": reverse("admin:assistance_reviewcase_change", args=[case.previous_id])
                 if changes and self.get_queryset(request).filter(pk=case.previous_id).exists() else ""}
        return super().changeform_view(request, object_id, form_url, {**(extra_context or {}), **extra})

    # ------------------------------------------------------------------------------- bulk actions

    @admin.action(description=_("将选中的对象派至乡镇（街道）"), permissions=["dispatch"])
    def dispatch_selected(self, request, queryset):
        self._each(request, queryset, lambda case: services.review_case_dispatch(case=case, acting_user=request.user))

    @admin.action(description=_("将选中的对象交村（社区）甄别"), permissions=["assign"])
    def assign_selected(self, request, queryset):
        self._each(request, queryset, lambda case: services.review_case_assign(case=case, acting_user=request.user))

    def has_dispatch_permission(self, request):
        return request.user.has_perm("assistance.dispatch_reviewcase")

    def has_assign_permission(self, request):
        return request.user.has_perm("assistance.assign_reviewcase")

    def _each(self, request, queryset, move):
        done, refused = 0, []
        for case in queryset.order_by("pk"):
            try:
                move(case)
                done += 1
            except (ValidationError, PermissionDenied) as exc:
                refused.append(f"{mask_name(case.person.name)}：{error_text(exc)}")
        if done:
            messages.success(request, f"已办理 {done} 件")
        if refused:
            messages.warning(request, f"{len(refused)} 件未办理：" + "；".join(refused[:10]))

    @admin.action(description=_("导出选中的对象（CSV，姓名和身份证号码已遮盖）"))
    def export_selected(self, request, queryset):
        export_log_record(acting_user=request.user, what="低收入资格审核名单", row_count=queryset.count(),
                          filters=dict(request.GET.items()))
        header = ["姓名", "身份证号码", "所属区域", "年度", "状态", "办理期限", "认定类别"]
        rows = ([mask_name(case.person.name), mask_resident_id(case.person.resident_id), case.region.name,
                 case.year, case.get_state_display(), case.due_on or "", case.category or ""]
                for case in queryset.select_related("person", "region", "category").iterator())
        response = StreamingHttpResponse(csv_lines(header, rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="review-cases.csv"'
        return no_store(response)


class EligibilityCategoryAdmin(HistoryAdmin):
    list_display = ("name", "order", "is_active")
    list_editable = ("order", "is_active")

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: decided cases keep their category


class StateDeadlineAdmin(HistoryAdmin):
    list_display = ("state", "working_days")
    list_editable = ("working_days",)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "working_days":  # the browser shows the bound too; the model checks it
            kwargs.update(min_value=1, max_value=StateDeadline.MAX_WORKING_DAYS)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class OverdueCountAdmin(admin.ModelAdmin):
    list_display = ("day", "town", "state", "count")
    list_filter = ("day", "state")
    date_hierarchy = "day"

    def get_queryset(self, request):
        counts = super().get_queryset(request).select_related("town")
        if sees_all_medical_data(request.user):
            return counts
        area = request.user.region
        return counts.filter(town__path__startswith=area.path) if area else counts.none()

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
