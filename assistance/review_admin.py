"""The civil-affairs desk in the admin: review cases, their moves, the per-town report.

Every list, page, search, export and action goes through selectors.review_cases_for_user, so an
officer only ever reaches the cases of their own area; every change goes through a service in
assistance/review.py. Nothing is edited in the plain change form.
"""
import datetime as dt
import io

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from fundportal.admin_utils import (CappedCountPaginator, CheckedListFilter, NoStoreMixin, error_text,
                                    ignored_filter_message, int_param, no_store)
from fundportal.csvsafe import csv_lines
from fundportal.forms import form_add_service_errors
from fundportal.history_admin import HistoryAdmin
from fundportal.masking import mask_name, mask_resident_id
from fundportal.money import money_label
from fundportal.services import export_log_record

from . import review, selectors
from .access import sees_all_medical_data
from .intake import selectors as intake_selectors
from .admin_common import TownFilter, page_context as _context
from .models import EligibilityCategory, OverdueCount, ReviewCase, ScreeningRun, StateDeadline
from .review_forms import (AssignForm, DetermineForm, HouseholdFormSet, MoveForm, ReasonForm, VerifyForm,
                           household_rows)

State = ReviewCase.State


class OverdueFilter(CheckedListFilter):
    title = _("办理期限")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("已逾期")), ("soon", _("3 日内到期"))]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "yes":
            return selectors.review_cases_overdue(queryset, day=today)
        if self.value() == "soon":
            return queryset.filter(state__in=ReviewCase.OPEN_STATES, due_on__gte=today,
                                   due_on__lte=today + dt.timedelta(days=3))
        return queryset


class RunFilter(CheckedListFilter):
    title = _("筛查批次")
    parameter_name = "run"

    def lookups(self, request, model_admin):
        return [(run.pk, str(run)) for run in _shared_runs(request.user)[:20]]

    def clean(self, value):
        # Any shared run of the user's, not only the 20 newest offered (the bulk pages link here).
        run = int_param(value)
        if run is None or not _shared_runs(self.request.user).filter(pk=run).exists():
            raise ValueError(value)
        return run

    def queryset(self, request, queryset):
        return queryset.filter(target__run_id=self.cleaned()) if self.value() else queryset


def _shared_runs(user):
    return intake_selectors.screening_runs_for_user(user=user).filter(shared_at__isnull=False)


@admin.register(ReviewCase)
class ReviewCaseAdmin(NoStoreMixin, HistoryAdmin):
    list_display = ("masked_name", "masked_id", "region", "year", "state", "due", "category", "source")
    list_filter = ("state", OverdueFilter, TownFilter, RunFilter, "category", "source")
    list_select_related = ("person", "region", "category")
    search_fields = ("person__name__exact",)
    search_help_text = _("按姓名精确查找（仅本辖区）")
    show_full_result_count = False
    paginator = CappedCountPaginator
    actions = ["dispatch_selected", "assign_selected", "export_selected"]
    change_form_template = "admin/assistance/reviewcase/change_form.html"
    change_list_template = "admin/assistance/reviewcase/change_list.html"
    fields = ("person_name", "person_resident_id", "year", "region", "source", "state", "state_since", "due",
              "household_income", "assets", "housing", "notes", "visited_on", "verified_by", "verified_at",
              "return_reason", "category", "decision_reason", "determined_by", "determined_at", "figures")
    readonly_fields = fields

    def get_queryset(self, request):
        return selectors.review_cases_for_user(user=request.user)

    def get_fields(self, request, obj=None):
        if selectors.sees_household(request.user):
            return self.fields
        return tuple(field for field in self.fields if field not in selectors.HOUSEHOLD_FIELDS)

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

    @admin.display(description=_("预警数据"))
    def figures(self, case):
        target = case.target
        if target is None:
            return "—"
        return (f"个人自付 {money_label(target.out_of_pocket)}，医疗总费用 {money_label(target.total_cost)}，"
                f"结算 {target.settlement_count} 次")

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        case = self.get_object(request, unquote(object_id)) if object_id else None  # 404 if malformed, missing, elsewhere
        extra = {"moves": _moves_for(request.user, case) if case else [],
                 "household": case.household.all() if case and selectors.sees_household(request.user) else []}
        return super().changeform_view(request, object_id, form_url, {**(extra_context or {}), **extra})

    # ------------------------------------------------------------------------------- bulk actions

    @admin.action(description=_("将选中的对象派至乡镇（街道）"), permissions=["dispatch"])
    def dispatch_selected(self, request, queryset):
        self._each(request, queryset, lambda case: review.review_case_dispatch(case=case, acting_user=request.user))

    @admin.action(description=_("将选中的对象交村（社区）甄别"), permissions=["assign"])
    def assign_selected(self, request, queryset):
        self._each(request, queryset, lambda case: review.review_case_assign(case=case, acting_user=request.user))

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

    # ----------------------------------------------------------------------------- the move pages

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("report/", wrap(self.report_view), name="assistance_reviewcase_report"),
            path("bulk-dispatch/", wrap(self.bulk_dispatch_view), name="assistance_reviewcase_bulk_dispatch"),
            path("bulk-assign/", wrap(self.bulk_assign_view), name="assistance_reviewcase_bulk_assign"),
            *[path(f"<int:pk>/{move}/", wrap(getattr(self, f"{move}_view")), name=f"assistance_reviewcase_{move}")
              for move in MOVE_PERMISSIONS],
        ] + super().get_urls()

    def _case(self, request, pk, move: str) -> ReviewCase:
        """The case, for a move this officer's role may make: a form the officer cannot submit is
        never shown (the verify form comes prefilled with the members' ID numbers). Whether the
        case's state allows the move, the service says on submitting, with the reason."""
        case = get_object_or_404(self.get_queryset(request), pk=pk)
        if not request.user.has_perm(f"assistance.{MOVE_PERMISSIONS[move]}"):
            raise PermissionDenied
        return case

    def _run_move(self, request, case, form, move, *, success: str, template_context=None, formset=None):
        """Render the move's page; on a valid POST call the service and go back to the case."""
        if request.method == "POST" and form.is_valid() and (formset is None or formset.is_valid()):
            try:
                move(form.cleaned_data)
            except PermissionDenied:
                raise
            except ValidationError as exc:
                form_add_service_errors(form, exc)
            else:
                messages.success(request, success)
                return HttpResponseRedirect(reverse("admin:assistance_reviewcase_change", args=[case.pk]))
        context = {**template_context, "title": f"{case.person.name} {case.year}：{template_context['title']}"}
        return no_store(render(request, "admin/assistance/reviewcase/move.html", _context(
            self, request, case=case, form=form, formset=formset, **context)))

    def dispatch_view(self, request, pk):
        case = self._case(request, pk, "dispatch")
        form = ReasonForm(request.POST or None)
        form.fields.pop("reason")
        return self._run_move(request, case, form,
                              lambda data: review.review_case_dispatch(case=case, acting_user=request.user),
                              success="已派至乡镇（街道）", template_context={"title": "派至乡镇（街道）"})

    def assign_view(self, request, pk):
        case = self._case(request, pk, "assign")
        form = AssignForm(request.POST or None, case=case)
        return self._run_move(request, case, form, lambda data: review.review_case_assign(
            case=case, acting_user=request.user, village=data["village"]),
            success="已交村（社区）甄别", template_context={"title": "交村（社区）甄别"})

    def verify_view(self, request, pk):
        case = self._case(request, pk, "verify")
        form = VerifyForm(request.POST or None)
        initial = [{"name": member.name, "relation": member.relation, "resident_id": member.resident_id,
                    "annual_income": member.annual_income, "notes": member.notes} for member in case.household.all()
                   ] or [{"name": case.person.name, "relation": "本人"}]  # the person first, to save typing
        formset = HouseholdFormSet(request.POST or None, initial=initial, prefix="household")
        return self._run_move(request, case, form, lambda data: review.review_case_verify(
            case=case, acting_user=request.user, household=household_rows(formset), **data),
            success="已登记甄别结果", formset=formset, template_context={"title": "登记入户甄别结果"})

    def determine_view(self, request, pk):
        case = self._case(request, pk, "determine")
        form = DetermineForm(request.POST or None)
        return self._run_move(request, case, form, lambda data: review.review_case_determine(
            case=case, acting_user=request.user, **data),
            success="已认定", template_context={"title": "认定低收入资格", "show_verification": True})

    def return_view(self, request, pk):
        case = self._case(request, pk, "return")
        form = ReasonForm(request.POST or None)
        return self._run_move(request, case, form, lambda data: review.review_case_return(
            case=case, acting_user=request.user, reason=data["reason"]),
            success="已退回村（社区）重新甄别", template_context={"title": "退回重新甄别", "show_verification": True})

    def move_view(self, request, pk):
        case = self._case(request, pk, "move")
        form = MoveForm(request.POST or None, user=request.user)
        return self._run_move(request, case, form, lambda data: review.review_case_move(
            case=case, region=data["region"], acting_user=request.user),
            success="已调整所属区域", template_context={"title": "调整所属区域"})

    def bulk_dispatch_view(self, request):
        return self._bulk(request, review.review_cases_dispatch, "dispatch_reviewcase",
                          title="批量派至乡镇（街道）", state=State.FIRST_SCREENING,
                          done="已将 {n} 件派至所属乡镇（街道）")

    def bulk_assign_view(self, request):
        return self._bulk(request, review.review_cases_assign, "assign_reviewcase", title="批量交村（社区）甄别",
                          state=State.AT_TOWN, done="已将 {n} 件交所属村（社区）甄别；户籍只登记到乡镇的对象请逐件选择村（社区）")

    def _bulk(self, request, move, permission, *, title, state, done):
        if not request.user.has_perm(f"assistance.{permission}"):
            raise PermissionDenied
        runs = _shared_runs(request.user)
        run = _run_chosen(request, runs, request.POST.get("run") or request.GET.get("run"))
        if request.method == "POST":
            moved = move(acting_user=request.user, run=run)
            messages.success(request, done.format(n=moved))
            return HttpResponseRedirect(reverse("admin:assistance_reviewcase_changelist") + f"?state={state}")
        waiting = self.get_queryset(request).filter(state=state)
        if run is not None:
            waiting = waiting.filter(target__run=run)
        return render(request, "admin/assistance/reviewcase/bulk.html", _context(
            self, request, title=title, runs=runs[:20], run=run, waiting=waiting.count()))

    # ---------------------------------------------------------------------------------- the report

    def report_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        runs = _shared_runs(request.user)
        run = _run_chosen(request, runs, request.GET.get("run"))
        categories, rows = selectors.review_report(user=request.user, run=run)
        area_title = selectors.review_report_area_title(user=request.user)
        if request.GET.get("format") == "xlsx":
            return _report_xlsx(categories, rows, run, area_title)
        return render(request, "admin/assistance/reviewcase/report.html", _context(
            self, request, title=f"低收入资格审核进度（按{area_title}）", categories=categories, rows=rows,
            runs=runs[:20], run=run, area_title=area_title))


def _run_chosen(request, runs, value) -> ScreeningRun | None:
    """The run a page was asked for (?run=…), among the user's shared runs; anything else — "abc",
    a run of another area — is ignored with the list filters' message."""
    if not value:
        return None
    run = runs.filter(pk=int_param(value)).first() if int_param(value) is not None else None
    if run is None:
        ignored_filter_message(request, RunFilter.title)
    return run


MOVE_PERMISSIONS = {"dispatch": "dispatch_reviewcase", "assign": "assign_reviewcase", "verify": "verify_reviewcase",
                    "determine": "determine_reviewcase", "return": "determine_reviewcase",
                    "move": "move_reviewcase"}


def _moves_for(user, case: ReviewCase) -> list[tuple[str, str]]:
    """(url name, label) of the moves this officer may make on this case now."""
    allowed = ReviewCase.MOVES[case.state]
    candidates = [
        ("dispatch", "派至乡镇（街道）", State.AT_TOWN),
        ("assign", "交村（社区）甄别", State.AT_VILLAGE),
        ("verify", "登记甄别结果", State.VERIFIED),
        ("determine", "认定", State.ELIGIBLE),
        ("return", "退回重新甄别", State.RETURNED),
    ]
    moves = [(f"admin:assistance_reviewcase_{name}", label) for name, label, to in candidates
             if to in allowed and user.has_perm(f"assistance.{MOVE_PERMISSIONS[name]}")]
    if case.is_open and user.has_perm(f"assistance.{MOVE_PERMISSIONS['move']}"):
        moves.append(("admin:assistance_reviewcase_move", "调整所属区域"))
    return moves



def _report_xlsx(categories: list[str], rows, run: ScreeningRun | None, area_title: str) -> HttpResponse:
    from openpyxl import Workbook  # only the export needs it

    book = Workbook()
    sheet = book.active
    sheet.title = "审核进度"
    sheet.append([f"低收入资格审核进度{'（' + str(run) + '）' if run else ''}，{timezone.localdate():%Y-%m-%d}"])
    sheet.append([area_title, "审核对象", "已派发", "已甄别", *[f"符合：{name}" for name in categories], "符合合计",
                  "不符合", "逾期"])
    for row in rows:
        sheet.append([row.area, row.cases, row.dispatched, row.verified, *[row.eligible[name] for name in categories],
                      row.eligible_total, row.not_eligible, row.overdue])
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="review-report.xlsx"'
    return response


@admin.register(EligibilityCategory)
class EligibilityCategoryAdmin(HistoryAdmin):
    list_display = ("name", "order", "is_active")
    list_editable = ("order", "is_active")

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: decided cases keep their category


@admin.register(StateDeadline)
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


@admin.register(OverdueCount)
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
