from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpResponseBadRequest, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext, gettext_lazy as _
from django.views.decorators.csrf import requires_csrf_token

from .csvsafe import csv_lines
from .forms import AuditFilterForm
from .responses import no_store
from .selectors import audit_model_by_label, audit_trail_count
from .services import export_log_record
from .selectors import audit_trail as audit_trail_rows


@permission_required("fundportal.view_audit_trail", raise_exception=True)
def _audit_trail(request):
    form = AuditFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        # A mistyped filter shows its error; it never widens the list or the export to everything.
        if request.GET.get("format") == "csv":
            return no_store(HttpResponseBadRequest("筛选条件有误，未导出", content_type="text/plain; charset=utf-8"))
        context = {**admin.site.each_context(request), "title": _("审计日志"), "form": form, "rows": [],
                   "querystring": ""}
        return no_store(render(request, "admin/audit_trail.html", context, status=400))
    filters = form.cleaned_data if form.is_bound else {}
    query = {
        "model": audit_model_by_label(filters.get("model") or ""),
        "date_from": filters.get("date_from"), "date_to": filters.get("date_to"), "actor": filters.get("actor", ""),
    }
    if request.GET.get("format") == "csv":
        export_log_record(acting_user=request.user, what="审计日志", row_count=audit_trail_count(**query),
                          filters=filters)
        rows = audit_trail_rows(**query, limit=None)
        lines = csv_lines(
            ["时间", "操作人", "对象类型", "对象编号", "对象", "操作", "原因", "变更"],
            ([r.when_text, r.actor, r.model, r.object_id, r.object_repr, r.action,
              r.reason, "; ".join(f"{f}: {o} → {n}" for f, o, n in r.changes)] for r in rows),
        )
        response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="audit-trail.csv"'
        return no_store(response)
    context = {**admin.site.each_context(request), "title": _("审计日志"), "form": form,
               "rows": audit_trail_rows(**query, limit=100), "querystring": request.GET.urlencode()}
    return no_store(render(request, "admin/audit_trail.html", context))


audit_trail = admin.site.admin_view(_audit_trail)


# Error pages: Chinese (English under /en/), in the site's own frame, JSON under /api/. Django's
# own 400, 403 and CSRF pages were bare English ("Bad Request (400)", "403 Forbidden").
# A 400 may come from before LocaleMiddleware (RefuseNulMiddleware reads the form first, and a
# form too large is refused right there), so each page takes its language from the address, as
# LocaleMiddleware does for the i18n_patterns (the default language has no prefix).

def page_language(request) -> str:
    return translation.get_language_from_path(request.path_info) or settings.LANGUAGE_CODE


def error_page(request, template_name: str, status: int, context: dict | None = None):
    """An error page in the request's language; under /api/ the same words as {"detail": …}."""
    with translation.override(page_language(request)):
        context = context or {}
        if request.path.startswith("/api/"):
            detail = context.get("reason") or context.get("detail")
            return JsonResponse({"detail": str(detail)}, status=status, json_dumps_params={"ensure_ascii": False})
        response = render(request, template_name, context, status=status)
    response["Cache-Control"] = "no-store"
    return response


def bad_request_reason(exception) -> str:
    if isinstance(exception, RequestDataTooBig):
        return gettext("提交的内容过大，系统未能接收。")
    if isinstance(exception, TooManyFieldsSent | TooManyFilesSent):
        return gettext("提交的表单项或文件过多，系统未能接收。")
    return gettext("请求的格式有误，系统无法处理。")


@requires_csrf_token
def bad_request(request, exception=None):
    """handler400: a form over the size or field limits, a Host header not ours, any other
    SuspiciousOperation."""
    with translation.override(page_language(request)):
        reason = bad_request_reason(exception)
    return error_page(request, "400.html", 400, {"reason": reason})


@requires_csrf_token
def permission_denied(request, exception=None):
    """handler403: a role opening a page it may not see."""
    with translation.override(page_language(request)):
        detail = gettext("您没有执行该操作的权限。")
    return error_page(request, "403.html", 403, {"detail": detail})


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: a form posted from a page too old (or with cookies off). Nothing was saved;
    the user goes back and reloads. Django's reason (English, for developers) goes to its log only."""
    with translation.override(page_language(request)):
        detail = gettext("页面已过期，请刷新后重试")
    return error_page(request, "403_csrf.html", 403, {"detail": detail})
