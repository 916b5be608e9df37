from django.contrib import admin
from django.contrib.auth.decorators import permission_required
from django.http import HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from .admin_utils import no_store
from .csvsafe import csv_lines
from .forms import AuditFilterForm
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
