"""Staff pages of the disclosure calendar and the annual report, in the admin (StatementAdmin wires
them): thin — parse, call one selector or service, render. Whoever may view statements reads them
(finance, and auditors read-only); only a publisher sees, and may use, the publish button (the
service checks the permission again)."""
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from fundportal.admin_utils import error_text
from fundportal.responses import no_store

from ..annual.content import report_content, report_error
from ..annual.pages import content_context
from ..annual.services import annual_report_publish, annual_report_published
from ..models import Statement
from .selectors import INSTALMENT, RELATED_PARTY_NOTE, calendar_items


def _require_viewer(request) -> None:
    if not request.user.has_perm("disclosure.view_statement"):
        raise PermissionDenied


def _context(model_admin, request, title: str) -> dict:
    return {**model_admin.admin_site.each_context(request), "opts": Statement._meta, "title": title,
            "can_publish": request.user.has_perm("disclosure.publish_statement")}


def calendar_view(model_admin, request):
    """信息公开日历: every item with its due date, done (linked) or not; overdue in red."""
    _require_viewer(request)
    items = calendar_items()
    if request.GET.get("show") == "overdue":
        items = [item for item in items if item.overdue]
    disclosures = [item for item in items if item.kind != INSTALMENT]
    instalments = [item for item in items if item.kind == INSTALMENT]
    years = sorted({item.due_on.year for item in instalments})
    return no_store(render(request, "admin/disclosure/statement/calendar.html", {
        **_context(model_admin, request, "信息公开日历"), "disclosures": disclosures,
        "instalments_by_year": [(year, [item for item in instalments if item.due_on.year == year]) for year in years],
        "related_party_note": RELATED_PARTY_NOTE, "major_amount": settings.DISCLOSURE_MAJOR_AMOUNT,
        "overdue_only": request.GET.get("show") == "overdue"}))


def _year(value) -> int | None:
    """Four ASCII digits, 1000 to 9999: "0000" (no such year for a date) and other scripts' digits
    ("²⁰²³" passes str.isdigit but not int) are no year, never an error page."""
    if isinstance(value, str) and len(value) == 4 and value.isascii() and value.isdigit() and value[0] != "0":
        return int(value)
    return None


def annual_view(model_admin, request):
    """年度报告: the years, each published (linked) or not; a year's preview, and publishing it."""
    _require_viewer(request)
    if request.method == "POST":
        year = _year(request.POST.get("year"))
        try:
            if year is None:
                raise ValidationError("年度应为四位数字")
            report = annual_report_publish(year=year, acting_user=request.user)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, error_text(exc))
            # Back to the year's preview only when it has one: a year that cannot be reported
            # would say why a second time there.
            preview = year is not None and report_error(year) is None
            return HttpResponseRedirect(f"{reverse('admin:disclosure_annual')}{f'?year={year}' if preview else ''}")
        messages.success(request, f"已发布：第 {report.sequence} 号《{report.title}》，SHA-256 {report.sha256}")
        return HttpResponseRedirect(reverse("admin:disclosure_statement_change", args=[report.pk]))
    today = timezone.localdate()
    years = [(year, annual_report_published(year), report_error(year, today=today))
             for year in range(today.year - 1, settings.FUND_START_DATE.year - 1, -1)]
    chosen = _year(request.GET.get("year"))
    preview = {}
    if chosen is not None:
        if (published := annual_report_published(chosen)) is not None:
            return HttpResponseRedirect(reverse("admin:disclosure_statement_change", args=[published.pk]))
        if error := report_error(chosen, today=today):
            messages.error(request, error)
        else:
            preview = content_context(report_content(chosen))
    return no_store(render(request, "admin/disclosure/statement/annual.html", {
        **_context(model_admin, request, "年度工作报告及财务会计报告"), "years": years, "chosen": chosen,
        **preview}))
