"""The review case's own pages in the admin: one page per move (each calling its service), the
bulk moves of a run's cases, and the per-town report. ReviewCaseAdmin mixes them in.

Every page reaches its case through ReviewCaseAdmin.get_queryset (selectors.review_cases_for_user),
so an officer only ever reaches the cases of their own area.
"""
import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fundportal.admin_utils import CheckedListFilter, ignored_filter_message, int_param
from fundportal.forms import form_add_service_errors
from fundportal.responses import no_store

from ..admin_common import page_context
from ..intake.models import ScreeningRun
from ..intake.selectors import screening_runs_for_user
from . import selectors, services
from .forms import AssignForm, DetermineForm, HouseholdFormSet, MoveForm, ReasonForm, VerifyForm, household_rows
from .models import ReviewCase

State = ReviewCase.State


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
    return screening_runs_for_user(user=user).filter(shared_at__isnull=False)


class ReviewCasePages:
    """The move pages, bulk moves and report of ReviewCaseAdmin (their URLs come first)."""

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
        return no_store(render(request, "admin/assistance/reviewcase/move.html", page_context(
            self, request, case=case, form=form, formset=formset, **context)))

    def dispatch_view(self, request, pk):
        case = self._case(request, pk, "dispatch")
        form = ReasonForm(request.POST or None)
        form.fields.pop("reason")
        return self._run_move(request, case, form,
                              lambda data: services.review_case_dispatch(case=case, acting_user=request.user),
                              success="已派至乡镇（街道）", template_context={"title": "派至乡镇（街道）"})

    def assign_view(self, request, pk):
        case = self._case(request, pk, "assign")
        form = AssignForm(request.POST or None, case=case)
        return self._run_move(request, case, form, lambda data: services.review_case_assign(
            case=case, acting_user=request.user, village=data["village"]),
            success="已交村（社区）甄别", template_context={"title": "交村（社区）甄别"})

    def verify_view(self, request, pk):
        case = self._case(request, pk, "verify")
        # A re-review not yet verified starts from the household of the decision it re-checks: the
        # officer edits what changed rather than typing the family again.
        source = case.previous if case.previous_id and case.verified_at is None else case
        form = VerifyForm(request.POST or None, initial={
            "household_income": source.household_income, "assets": source.assets, "housing": source.housing}
            if source is not case else None)
        initial = [{"name": member.name, "relation": member.relation, "resident_id": member.resident_id,
                    "annual_income": member.annual_income, "notes": member.notes} for member in source.household.all()
                   ] or [{"name": case.person.name, "relation": "本人"}]  # the person first, to save typing
        formset = HouseholdFormSet(request.POST or None, initial=initial, prefix="household")
        return self._run_move(request, case, form, lambda data: services.review_case_verify(
            case=case, acting_user=request.user, household=household_rows(formset), **data),
            success="已登记甄别结果", formset=formset, template_context={"title": "登记入户甄别结果"})

    def determine_view(self, request, pk):
        case = self._case(request, pk, "determine")
        form = DetermineForm(request.POST or None)
        return self._run_move(request, case, form, lambda data: services.review_case_determine(
            case=case, acting_user=request.user, **data),
            success="已认定", template_context={"title": "认定低收入资格", "show_verification": True})

    def return_view(self, request, pk):
        case = self._case(request, pk, "return")
        form = ReasonForm(request.POST or None)
        return self._run_move(request, case, form, lambda data: services.review_case_return(
            case=case, acting_user=request.user, reason=data["reason"]),
            success="已退回村（社区）重新甄别", template_context={"title": "退回重新甄别", "show_verification": True})

    def move_view(self, request, pk):
        case = self._case(request, pk, "move")
        form = MoveForm(request.POST or None, user=request.user)
        return self._run_move(request, case, form, lambda data: services.review_case_move(
            case=case, region=data["region"], acting_user=request.user),
            success="已调整所属区域", template_context={"title": "调整所属区域"})

    def bulk_dispatch_view(self, request):
        return self._bulk(request, services.review_cases_dispatch, "dispatch_reviewcase",
                          title="批量派至乡镇（街道）", state=State.FIRST_SCREENING,
                          done="已将 {n} 件派至所属乡镇（街道）")

    def bulk_assign_view(self, request):
        return self._bulk(request, services.review_cases_assign, "assign_reviewcase", title="批量交村（社区）甄别",
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
        return render(request, "admin/assistance/reviewcase/bulk.html", page_context(
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
        return render(request, "admin/assistance/reviewcase/report.html", page_context(
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


def moves_for(user, case: ReviewCase) -> list[tuple[str, str]]:
    """(url name, label) of the moves this officer may make on this case now."""
    allowed = ReviewCase.MOVES.table[case.state]
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
