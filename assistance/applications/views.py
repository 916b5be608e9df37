"""The Red Cross clerks' workspace (/workspace/, urls.py): find the applicant by ID number, enter
the application, print the acknowledgement slip (受理回执), follow the applications they entered.

Thin views: forms parse, application_submit writes, selectors scope. ID numbers travel in POST
bodies only, never in URLs; every page with personal data is sent with Cache-Control: no-store.
"""
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from fundportal.forms import form_add_service_errors
from fundportal.lookups import public_link
from fundportal.pdf import qr_svg_data_uri
from fundportal.masking import mask_bank_account, mask_name, mask_phone, mask_resident_id
from fundportal.notices.selectors import notices_shown
from fundportal.responses import no_store

from ..payouts.selectors import payment_status
from . import selectors, services
from .forms import (
    ApplicationForm, DocumentFormSet, ExtraCostFormSet, LookupForm, MemberFormSet, NoticeSettingsForm, filled,
)
from .services import application_prefill, application_submit, document_open

WORKSPACE = "assistance.view_application"


@login_required
@permission_required(WORKSPACE, raise_exception=True)
def home(request):
    applications = selectors.applications_for_user(user=request.user)[:200]
    rows = [{"application": application, "name": mask_name(application.person.name)} for application in applications]
    return no_store(render(request, "workspace/home.html", {"rows": rows}))


@login_required
@permission_required("assistance.add_application", raise_exception=True)
@require_http_methods(["GET", "POST"])
def application_new(request):
    """GET: the ID number. POST step=lookup: the form, prefilled. POST step=submit: accept."""
    step = request.POST.get("step")
    if step == "submit":
        return _submit(request)
    lookup = LookupForm(request.POST or None)
    if step == "lookup" and lookup.is_valid():
        try:
            prefill = application_prefill(**lookup.cleaned_data)
        except ValidationError as exc:
            lookup.add_error("resident_id", exc.messages)
        else:
            initial = {"resident_id": prefill.resident_id, "year": prefill.year, "name": prefill.name,
                       "region": prefill.region, "account_holder": prefill.name}
            return _form_page(request, prefill, ApplicationForm(initial=initial),
                              MemberFormSet(prefix="members", initial=[{"name": prefill.name, "relation": "本人",
                                                                        "resident_id": prefill.resident_id}]),
                              ExtraCostFormSet(prefix="costs"), DocumentFormSet(prefix="documents"))
    return no_store(render(request, "workspace/lookup.html", {"form": lookup}))


def _submit(request):
    form = ApplicationForm(request.POST)
    members = MemberFormSet(request.POST, prefix="members")
    costs = ExtraCostFormSet(request.POST, prefix="costs")
    documents = DocumentFormSet(request.POST, request.FILES, prefix="documents")
    valid = all([form.is_valid(), members.is_valid(), costs.is_valid(), documents.is_valid()])
    # The summary at the top, from the (hidden) ID number and year as the form checked them: a
    # tampered one is the form's error, shown above the form, never a lookup that fails.
    prefill = (application_prefill(resident_id=form.cleaned_data["resident_id"], year=form.cleaned_data["year"])
               if {"resident_id", "year"} <= form.cleaned_data.keys() else None)
    if valid:
        try:
            application = application_submit(
                acting_user=request.user, members=filled(members), extra_costs=filled(costs),
                documents=[(row["kind"] or "other", row["file"]) for row in filled(documents) if row.get("file")],
                **form.cleaned_data)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            return redirect("workspace:slip", number=application.number)
    if request.FILES:
        form.add_error(None, "浏览器不会保留已选择的文件：改正后请重新选择要上传的材料。")
    return _form_page(request, prefill, form, members, costs, documents)


def _form_page(request, prefill, form, members, costs, documents):
    return no_store(render(request, "workspace/application_form.html", {
        "prefill": prefill, "form": form, "members": members, "costs": costs, "documents": documents,
        "masked_id": mask_resident_id(prefill.resident_id) if prefill else ""}))


def _application(request, number):
    return get_object_or_404(selectors.applications_for_user(user=request.user).prefetch_related(
        "members", "extra_costs", "documents"), number=number)


@login_required
@permission_required(WORKSPACE, raise_exception=True)
def application_detail(request, number):
    application = _application(request, number)
    return _detail_page(request, application)


def _detail_page(request, application, *, settings_form=None, status=200):
    if settings_form is None and request.user.has_perm("assistance.add_application"):
        settings_form = NoticeSettingsForm(phone=application.phone, current=application.notice_phone, initial={
            "notice_consent": application.notice_consent and application.notice_opted_out_at is None})
    return no_store(render(request, "workspace/application_detail.html", {
        **_shown(application), "settings_form": settings_form,
        "notices": notices_shown(application, user=request.user)}, status=status))


@login_required
@permission_required("assistance.add_application", raise_exception=True)
@require_POST
def application_notice_settings(request, number):
    """The family's SMS wish recorded at the counter (consent, the number to use)."""
    application = _application(request, number)
    form = NoticeSettingsForm(request.POST, phone=application.phone, current=application.notice_phone)
    if form.is_valid():
        try:
            services.application_notice_settings(application=application, acting_user=request.user,
                                                 **form.cleaned_data)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            return redirect(reverse("workspace:application", args=[application.number]) + "#notices")
    return _detail_page(request, application, settings_form=form, status=400)


@login_required
@permission_required(WORKSPACE, raise_exception=True)
def application_slip(request, number):
    """The acknowledgement slip (受理回执), to print for the family: with the look-up code and a QR
    code of the progress page's link (/progress/?n=…&c=…), the family's way to follow its case."""
    application = _application(request, number)
    progress_link = public_link("progress:lookup", n=application.number, c=application.lookup_code)
    return no_store(render(request, "workspace/slip.html", {
        **_shown(application), "progress_page": public_link("progress:lookup"),
        "progress_qr": qr_svg_data_uri(progress_link)}))


def _shown(application) -> dict:
    return {"application": application, "masked_id": mask_resident_id(application.person.resident_id),
            "masked_account": mask_bank_account(application.account_number),
            "masked_phone": mask_phone(application.phone), "decision": payment_status(application),
            "notice_settings": selectors.notice_settings_text(application)}


@login_required
def document_download(request, pk):
    """A scan, for the roles that need it; each opening is logged."""
    document = get_object_or_404(selectors.documents_for_user(user=request.user), pk=pk)
    if not request.user.has_perm("assistance.view_document"):
        raise PermissionDenied
    document_open(document=document, acting_user=request.user)
    response = FileResponse(document.file.open("rb"), content_type=document.content_type)
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    return no_store(response)
