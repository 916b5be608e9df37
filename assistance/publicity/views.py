"""Public 公示 pages (no login, phone-first, in the disclosure pages' frame): the list, one 公示 with
its towns, a town's or a village's lines, the printable notice; the online objection and its
look-up.

The reading pages set no cookie and show nothing that depends on who reads them, so shared caches
may keep them a minute (the objection counts change); the notice never changes after posting. The
objection pages carry a CSRF token and are never cached. The look-up answers a wrong code exactly
as a missing number (a 404 with the same page), counted by the shared limiter (fundportal.ratelimits)
and refunded when the code was right, as the receipt look-up does (donations/views.py).
"""
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import translate_url
from django.utils import timezone, translation
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import condition, require_http_methods, require_safe

from fundportal.ratelimits import take

from . import lookup, notice, public_selectors, services
from .public_forms import ObjectionForm, ObjectionLookupForm

SESSION_KEY = "publicity_objections"  # the objections this browser filed: shown once, after the redirect
PUBLIC_CACHE = cache_control(public=True, max_age=60)


def _page(request, template: str, context: dict, *, status: int = 200):
    """A page in the disclosure frame, with the link to the same page in the other language."""
    other = "zh-hans" if translation.get_language().startswith("en") else "en"
    context = {"alternate": translate_url(request.path, other), "today": timezone.localdate(),
               "working_days": settings.OBJECTION_WORKING_DAYS, **context}
    return render(request, template, context, status=status)


def _publicity(pk: int):
    publicity = public_selectors.publicity_public(pk)
    if publicity is None:
        raise Http404("没有这份公示")
    return publicity


def _area(publicity, code: str):
    region = public_selectors.publicity_area(publicity, code)
    if region is None:
        raise Http404("该公示在这个地区没有名单")
    return region


@require_safe
@PUBLIC_CACHE
def publicity_list(request):
    return _page(request, "publicity/list.html", {"publicities": public_selectors.publicities_public()[:100]})


@require_safe
@PUBLIC_CACHE
def publicity_detail(request, pk: int):
    publicity = _publicity(pk)
    return _page(request, "publicity/detail.html", {
        "publicity": publicity, "towns": public_selectors.publicity_towns(publicity)})


@require_safe
@PUBLIC_CACHE
def publicity_area(request, pk: int, code: str):
    """A town's or a village's lines: the page the notice's QR code opens."""
    publicity = _publicity(pk)
    region = _area(publicity, code)
    villages = []
    if region.level == region.Level.TOWN:
        villages = next((town.villages for town in public_selectors.publicity_towns(publicity)
                         if town.code == region.code), [])
    return _page(request, "publicity/area.html", {
        "publicity": publicity, "region": region, "villages": villages,
        "entries": public_selectors.area_entries(publicity, region)})


def _notice_etag(request, pk: int, code: str):
    publicity = public_selectors.publicity_public(pk)
    region = public_selectors.publicity_area(publicity, code) if publicity else None
    return notice.notice_etag(publicity, region) if region else None


@require_safe
@condition(etag_func=_notice_etag)
@cache_control(public=True, max_age=3600)
def notice_pdf(request, pk: int, code: str):
    """The A4 notice for the board: fixed at posting, so caches may keep it an hour."""
    publicity = _publicity(pk)
    region = _area(publicity, code)
    response = HttpResponse(notice.notice_pdf(publicity, region), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="publicity-{publicity.pk}-{region.code}.pdf"'
    return response


# --- objections -------------------------------------------------------------------------------

def _entry(publicity, line: int):
    entry = public_selectors.entry_public(publicity, line)
    if entry is None:
        raise Http404("该公示没有这一行")
    return entry


@never_cache
@require_http_methods(["GET", "POST"])
def objection_new(request, pk: int, line: int):
    """Object to one line, while the 公示 is open: the content, an optional name and contact."""
    publicity = _publicity(pk)
    entry = _entry(publicity, line)
    form = ObjectionForm(request.POST if request.method == "POST" else None)
    context = {"publicity": publicity, "entry": entry, "form": form,
               "is_open": publicity.is_open_on(timezone.localdate())}
    if request.method == "GET":
        return _page(request, "publicity/objection_new.html", context)
    if not form.is_valid():
        return _page(request, "publicity/objection_new.html", context, status=400)
    attempt = take(request, group="objection", rate=settings.OBJECTION_RATE)
    if attempt is None:  # what was typed stays on the page
        return _page(request, "publicity/objection_new.html", context | {"blocked": True}, status=429)
    try:
        objection = services.objection_submit_online(entry=entry, **form.cleaned_data)
    except ValidationError as exc:
        attempt.refund()  # nothing was filed: it does not count
        form.add_service_error(exc)
        return _page(request, "publicity/objection_new.html", context, status=400)
    filed = request.session.get(SESSION_KEY, [])[-4:]
    request.session[SESSION_KEY] = [*filed, [objection.number, objection.lookup_code]]
    return redirect("publicity:objection_filed")


@never_cache
@require_safe
def objection_filed(request):
    """The number and code of the objection just filed (from the session: never in a URL)."""
    filed = request.session.get(SESSION_KEY) or []
    if not filed:
        return redirect("publicity:objection_lookup")
    number, code = filed[-1]
    objection = public_selectors.objection_find_for_public(number=number, code=code)
    if objection is None:
        return redirect("publicity:objection_lookup")
    response = _page(request, "publicity/objection_filed.html", {"objection": objection})
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def objection_lookup(request):
    """Number and code → the state and, once decided, the outcome and its reason."""
    form = ObjectionLookupForm(request.POST if request.method == "POST" else None)
    context = {"form": form}
    if request.method == "GET" or not form.is_valid():
        return _page(request, "publicity/objection_lookup.html", context, status=400 if form.is_bound else 200)
    result = lookup.objection_lookup(request, number=form.cleaned_data["n"], code=form.cleaned_data["c"])
    if result.found is None:
        return _page(request, "publicity/objection_lookup.html",
                     context | {"blocked": result.blocked, "not_found": result.not_found}, status=result.status)
    response = _page(request, "publicity/objection_lookup.html", context | {"objection": result.found})
    response["Cache-Control"] = "no-store"
    return response
