"""Statements in the admin: ask for a period's statement (built by Celery, with the long jobs'
progress bar: fundportal.job_admin), look at it, publish it, and publish a correction notice for a
published one."""
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse

from fundportal.admin_utils import error_text
from fundportal.forms import form_add_service_errors
from fundportal.history_admin import HistoryAdmin
from fundportal.job_admin import JobProgressAdmin
from fundportal.responses import no_store
from fundportal.workqueue_admin import work_queue_filter

from .forms import CorrectionForm, StatementRequestForm
from .models import Statement
from .obligations.admin_views import annual_view, calendar_view
from .pages import statement_context
from .queue import STATEMENT_QUEUE
from .services import statement_correct, statement_publish, statement_request


@admin.register(Statement)
class StatementAdmin(JobProgressAdmin, HistoryAdmin):
    list_display = ("title", "kind", "state", "sequence", "published_at", "requested_at")
    list_filter = (work_queue_filter(STATEMENT_QUEUE), "state", "kind")
    search_fields = ("title",)

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # statements change only through the build and the publication

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/publish/", wrap(self.publish_view), name="disclosure_statement_publish"),
            path("<int:pk>/correct/", wrap(self.correct_view), name="disclosure_statement_correct"),
            path("calendar/", wrap(lambda request: calendar_view(self, request)), name="disclosure_calendar"),
            path("annual/", wrap(lambda request: annual_view(self, request)), name="disclosure_annual"),
        ] + super().get_urls()

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = StatementRequestForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            start, end = form.cleaned_data["period"]
            try:
                statement = statement_request(kind=form.cleaned_data["kind"], period_start=start, period_end=end,
                                              acting_user=request.user)
            except ValidationError as exc:
                form_add_service_errors(form, exc)
            else:
                messages.success(request, f"已提交生成：{statement.title}")
                return HttpResponseRedirect(reverse("admin:disclosure_statement_change", args=[statement.pk]))
        return render(request, "admin/disclosure/statement/request.html", {
            **self.admin_site.each_context(request), "opts": self.model._meta, "form": form,
            "title": "生成收支公示"})

    def change_view(self, request, object_id, form_url="", extra_context=None):
        statement = self.get_object(request, unquote(object_id))  # 404 for a malformed or missing id
        if not self.has_view_permission(request, statement):
            raise PermissionDenied
        context = statement_context(statement) if statement.state in (Statement.State.BUILT,
                                                                      Statement.State.PUBLISHED) else {}
        return no_store(render(request, "admin/disclosure/statement/detail.html", {
            **self.admin_site.each_context(request), "opts": self.model._meta, "original": statement,
            **context, "statement": statement, "correction_form": CorrectionForm(),
            "can_publish": request.user.has_perm("disclosure.publish_statement"),
            "title": statement.title}))

    def publish_view(self, request, pk):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        statement = get_object_or_404(Statement, pk=pk)
        try:
            statement = statement_publish(statement=statement, acting_user=request.user)
            messages.success(request, f"已发布：第 {statement.sequence} 号，SHA-256 {statement.sha256}")
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, error_text(exc))
        return HttpResponseRedirect(reverse("admin:disclosure_statement_change", args=[pk]))

    def correct_view(self, request, pk):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        statement = get_object_or_404(Statement, pk=pk)
        form = CorrectionForm(request.POST)
        try:
            if not form.is_valid():
                raise ValidationError("请写明更正说明")
            correction = statement_correct(statement=statement, notice=form.cleaned_data["notice"],
                                           acting_user=request.user)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, error_text(exc))
            return HttpResponseRedirect(reverse("admin:disclosure_statement_change", args=[pk]))
        messages.success(request, f"已发布更正说明：第 {correction.sequence} 号")
        return HttpResponseRedirect(reverse("admin:disclosure_statement_change", args=[correction.pk]))
