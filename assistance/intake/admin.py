"""The MSB's desk in the admin: settlement imports, the insured-person registry and its costs,
screening runs and their sharing with civil affairs, the warning targets (which civil affairs also
reads, for its own area). Thin: services and selectors do the work; assistance/admin.py registers."""
from decimal import Decimal

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from fundportal.admin_utils import (AppendOnlyAdmin, CappedCountPaginator, CheckedListFilter, NoStoreMixin, adopt_saved,
                                    no_store)
from fundportal.csvsafe import csv_lines
from fundportal.history_admin import HistoryAdmin
from fundportal.job_admin import JobProgressAdmin
from fundportal.masking import mask_name, mask_resident_id
from fundportal.money import money_label
from fundportal.services import export_log_record
from fundportal.workqueue_admin import work_queue_filter

from ..admin_common import TownFilter, page_context
from ..followup.selectors import run_follow_up_count
from ..followup.services import screening_run_share_and_follow
from . import selectors
from .forms import InsuredPersonStatusForm, ResidentIdLookupForm, ScreeningRunForm, SettlementUploadForm
from .models import InsuredPerson, SettlementImport
from .queue import IMPORT_QUEUE, RUN_QUEUE
from .services import insured_person_set_deceased, screening_run_create, settlement_import_create


class ImportedYearFilter(CheckedListFilter):
    """Years that have imported settlements: read from the import jobs, not from a DISTINCT over
    ten million rows (what the default filter on a field does)."""

    title = _("年度")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        return [(year, str(year)) for year in selectors.imported_years()]

    def queryset(self, request, queryset):
        return queryset.filter(year=self.cleaned()) if self.value() else queryset


class SettlementImportAdmin(JobProgressAdmin, AppendOnlyAdmin, HistoryAdmin):
    list_display = ("id", "year", "month", "file_name", "state", "rows_imported", "rows_rejected", "seconds",
                    "created_by", "created_at")
    list_filter = (work_queue_filter(IMPORT_QUEUE), "state", "year")
    list_select_related = ("created_by",)
    show_full_result_count = False
    change_form_template = "admin/assistance/settlementimport/change_form.html"
    readonly_fields = ("year", "month", "file_name", "state", "rows_total", "rows_imported", "rows_rejected",
                       "rows_unchanged", "people_created", "seconds", "message", "attempts", "created_by",
                       "created_at", "finished_at")
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return request.user.has_perm("assistance.add_settlementimport")

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("upload/", wrap(self.upload_view), name="assistance_settlementimport_upload"),
            path("<int:pk>/errors.csv", wrap(self.errors_view), name="assistance_settlementimport_errors"),
        ] + super().get_urls()

    def add_view(self, request, form_url="", extra_context=None):
        return HttpResponseRedirect(reverse("admin:assistance_settlementimport_upload"))

    def upload_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = SettlementUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                job = settlement_import_create(year=form.cleaned_data["year"], month=form.cleaned_data["month"],
                                               upload=form.cleaned_data["file"], acting_user=request.user)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, "文件已上传，正在后台导入，可在本页查看进度。")
                return HttpResponseRedirect(reverse("admin:assistance_settlementimport_change", args=[job.pk]))
        return render(request, "admin/assistance/settlementimport/upload.html",
                      page_context(self, request, title="导入结算数据", form=form))

    def _job(self, request, pk) -> SettlementImport:
        if not self.has_view_permission(request):
            raise PermissionDenied
        return get_object_or_404(SettlementImport, pk=pk)

    def progress_view(self, request, object_id):
        """The shared progress endpoint (fundportal.job_admin), refused outright (403) to a role
        that may not see imports, like the desk's other pages."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        return super().progress_view(request, object_id)

    def errors_view(self, request, pk):
        job = self._job(request, pk)
        if not request.user.has_perm("assistance.view_settlementimporterror"):
            raise PermissionDenied
        rows = job.errors.order_by("row_number", "id").values_list("row_number", "column", "reason").iterator()
        export_log_record(acting_user=request.user, what=f"结算导入错误清单 #{job.pk}", row_count=job.errors.count())
        response = StreamingHttpResponse(csv_lines(["行号", "列", "原因"], rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="settlement-import-{job.pk}-errors.csv"'
        return no_store(response)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra = {"sample_errors": []}
        if object_id:
            extra["sample_errors"] = list(self.get_object(request, unquote(object_id)).errors.all()[:20])
        return super().changeform_view(request, object_id, form_url, {**(extra_context or {}), **extra})


class InsuredPersonAdmin(NoStoreMixin, HistoryAdmin):
    form = InsuredPersonStatusForm
    # Masked in the list like every list of people (review cases, targets, applications); the
    # full name and ID number only on the person's own page.
    list_display = ("masked_name", "masked_id", "sex", "birth_date", "region", "is_local", "is_deceased")
    list_filter = ("is_local", "is_deceased", "sex")
    list_select_related = ("region",)
    # Exact name only (case-sensitive: "=name" would compare upper(name), which no plan can do
    # quickly); ID numbers are looked up by POST, never in a URL.
    search_fields = ("name__exact",)
    search_help_text = "按姓名精确查找；按身份证号码查找请用右上角“按身份证号查找”"
    show_full_result_count = False
    paginator = CappedCountPaginator
    ordering = ("-id",)
    change_form_template = "admin/assistance/insuredperson/change_form.html"
    change_list_template = "admin/assistance/insuredperson/change_list.html"
    readonly_fields = ("resident_id", "name", "sex", "birth_date", "region", "household_region_text", "is_local",
                       "insured_kind", "created_at", "updated_at")
    fields = readonly_fields[:8] + ("is_deceased", "died_on") + readonly_fields[8:]

    def has_add_permission(self, request):
        return False  # people come from the settlement files

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("姓名"))
    def masked_name(self, person):
        return mask_name(person.name)

    @admin.display(description=_("身份证号码"))
    def masked_id(self, person):
        return mask_resident_id(person.resident_id)

    def save_model(self, request, obj, form, change):
        insured_person_set_deceased(person=obj, is_deceased=form.cleaned_data["is_deceased"],
                                    died_on=form.cleaned_data["died_on"], acting_user=request.user)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("lookup/", wrap(self.lookup_view), name="assistance_insuredperson_lookup"),
            path("<int:pk>/costs/<int:year>/", wrap(self.costs_view), name="assistance_insuredperson_costs"),
        ] + super().get_urls()

    def lookup_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = ResidentIdLookupForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            person = InsuredPerson.objects.filter(resident_id=form.cleaned_data["resident_id"]).first()
            if person:
                return HttpResponseRedirect(reverse("admin:assistance_insuredperson_change", args=[person.pk]))
            form.add_error("resident_id", "参保人员库中没有这个身份证号码")
        return no_store(render(request, "admin/assistance/insuredperson/lookup.html",
                               page_context(self, request, title="按身份证号查找参保人员", form=form)))

    def costs_view(self, request, pk, year):
        if not request.user.has_perm("assistance.view_settlementrecord"):
            raise PermissionDenied
        person = self.get_object(request, str(pk))  # 404 as on the person's own page
        if year not in selectors.person_years(person=person):
            raise Http404("该参保人员这一年度没有结算记录")  # a year of nothing, or one past any calendar
        settlements = selectors.person_settlements(person=person, year=year)
        if request.GET.get("format") == "csv":
            export_log_record(acting_user=request.user, what="个人年度结算明细", row_count=settlements.count(),
                              filters={"person": person.pk, "year": year})
            lines = csv_lines(
                ["结算编号", "结算日期", "医疗机构", "省内就医", "医疗总费用", "基本医保支付", "大病保险支付", "医疗救助支付", "个人自付"],
                ([s.settlement_no, s.settled_on.isoformat(), s.institution, "是" if s.in_province else "否",
                  s.total_cost, s.fund_basic, s.fund_critical, s.fund_assistance, s.out_of_pocket]
                 for s in settlements.iterator()))
            response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="costs-{person.pk}-{year}.csv"'
            return no_store(response)
        return no_store(render(request, "admin/assistance/insuredperson/costs.html", page_context(
            self, request, title=f"{person.name} {year} 年医疗费用", person=person,
            summary=selectors.person_cost_summary(person=person, year=year), settlements=settlements[:500],
            years=selectors.person_years(person=person))))

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        years = selectors.person_years(person=self.get_object(request, unquote(object_id))) if object_id else []
        return super().changeform_view(request, object_id, form_url, {**(extra_context or {}), "years": years})


class SettlementRecordAdmin(NoStoreMixin, AppendOnlyAdmin):
    list_display = ("settlement_no", "year", "settled_on", "person_name", "institution", "total_cost",
                    "out_of_pocket")
    list_filter = (ImportedYearFilter, "in_province")
    list_select_related = ("person",)
    search_fields = ("settlement_no__exact",)  # uses the (settlement_no, year) index
    show_full_result_count = False
    paginator = CappedCountPaginator
    ordering = ("-id",)

    @admin.display(description=_("参保人员"))
    def person_name(self, record):
        return mask_name(record.person.name)


class ScreeningRunAdmin(JobProgressAdmin, HistoryAdmin):
    form = ScreeningRunForm
    list_display = ("id", "year", "threshold", "local_only", "exclude_deceased", "state", "target_count",
                    "shared_at", "created_by", "created_at")
    list_filter = (work_queue_filter(RUN_QUEUE), "state", "year")
    list_select_related = ("created_by",)
    change_form_template = "admin/assistance/screeningrun/change_form.html"

    def get_queryset(self, request):
        return selectors.screening_runs_for_user(user=request.user)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("year", "threshold", "local_only", "exclude_deceased", "min_settlements", "state", "target_count",
                "data_fingerprint", "seconds", "message", "attempts", "created_by", "created_at", "finished_at",
                "shared_at", "shared_by")

    def get_fields(self, request, obj=None):
        return self.get_readonly_fields(request, obj) if obj else super().get_fields(request, obj)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        run = screening_run_create(acting_user=request.user, **form.cleaned_data)
        adopt_saved(obj, run)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        extra = {}
        run = self.get_object(request, unquote(object_id)) if object_id else None  # 404 if not the user's
        if run is not None and run.shared_at:  # sharing flags last years' beneficiaries (防止返贫监测)
            extra["follow_up_count"] = run_follow_up_count(user=request.user, run=run)
            extra["follow_ups_listed"] = request.user.has_perm("assistance.view_followup")
        return super().changeform_view(request, object_id, form_url, {**(extra_context or {}), **extra})

    def get_urls(self):
        return [path("<int:pk>/share/", self.admin_site.admin_view(self.share_view),
                     name="assistance_screeningrun_share")] + super().get_urls()

    def share_view(self, request, pk):
        if not request.user.has_perm("assistance.share_screeningrun"):
            raise PermissionDenied
        run = get_object_or_404(self.get_queryset(request), pk=pk)
        if request.method != "POST":
            return render(request, "admin/confirm_action.html", page_context(
                self, request, title=f"共享筛查结果：{run}",
                question=f"共享后，各级民政人员可以看到本批次 {run.target_count} 名预警对象中属于本辖区的人员（仅汇总数字）。确认共享？"))
        try:
            screening_run_share_and_follow(run=run, acting_user=request.user)
        except PermissionError as exc:
            raise PermissionDenied(str(exc)) from exc
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            messages.success(request, "已共享给民政局：各级民政人员现在可以看到本辖区的预警对象。")
        return HttpResponseRedirect(reverse("admin:assistance_screeningrun_change", args=[pk]))


class WarningTargetAdmin(NoStoreMixin, AppendOnlyAdmin):
    list_display = ("masked_name", "masked_id", "region", "out_of_pocket", "total_cost", "fund_paid",
                    "settlement_count", "own_share_percent", "run")
    list_filter = ("run", TownFilter)
    list_select_related = ("person", "region", "run")
    show_full_result_count = False
    paginator = CappedCountPaginator
    fields = ("run", "person_name", "person_resident_id", "region", "total_cost", "fund_paid", "out_of_pocket",
              "settlement_count", "own_share_percent", "institutions")
    readonly_fields = fields

    def get_queryset(self, request):
        return selectors.warning_targets_for_user(user=request.user)

    @admin.display(description=_("姓名"))
    def masked_name(self, target):
        return mask_name(target.person.name)

    @admin.display(description=_("身份证号码"))
    def masked_id(self, target):
        return mask_resident_id(target.person.resident_id)

    @admin.display(description=_("姓名"))
    def person_name(self, target):
        return target.person.name

    @admin.display(description=_("身份证号码"))
    def person_resident_id(self, target):
        return target.person.resident_id

    @admin.display(description=_("个人负担比例"))
    def own_share_percent(self, target):
        return f"{target.own_share * 100:.1f}%"

    @admin.display(description=_("主要就诊机构"))
    def institutions(self, target):
        return format_html_join(mark_safe("<br>"), "{}：{}", ((name, money_label(Decimal(str(amount))))
                                                              for name, amount in target.top_institutions)) or "-"
