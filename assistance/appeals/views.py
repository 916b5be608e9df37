"""The clerk's page for a family's request for review (复核) brought to the counter, in the
workspace (/workspace/appeals/…): find the application by its number, see whether a review can
be asked for now (selectors.appeal_refusal, the same answer the family's progress page gives),
record the grounds (services.appeal_file), print the acknowledgement.

Any clerk may record a request for any application (the family may come to any counter): the
page then shows only the masked name, the state and the decision under review.
"""
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from fundportal.forms import form_add_service_errors
from fundportal.masking import mask_name
from fundportal.responses import no_store

from ..applications.models import Application
from .forms import AppealForm, ApplicationNumberForm
from .selectors import appeal_basis, appeals_for_user
from .services import appeal_file


def _found(number: str) -> Application | None:
    return (Application.objects.select_related("person", "region", "review_case__category")
            .filter(number=number).first())


@login_required
@permission_required("assistance.add_appeal", raise_exception=True)
@require_http_methods(["GET", "POST"])
def appeal_new(request):
    """GET: the application number. POST step=lookup: the application and the form (or why not).
    POST step=file: record it."""
    step = request.POST.get("step")
    if step == "file":
        return _file(request)
    lookup = ApplicationNumberForm(request.POST or None)
    if step == "lookup" and lookup.is_valid():
        application = _found(lookup.cleaned_data["number"])
        if application is None:
            lookup.add_error("number", "没有这个申请编号，请核对受理回执")
        else:
            return _form_page(request, application, AppealForm(initial={"number": application.number}))
    return no_store(render(request, "workspace/appeal_lookup.html", {"form": lookup}))


def _file(request):
    form = AppealForm(request.POST)
    application = _found("".join(request.POST.get("number", "").split()).upper())
    if application is None:
        return redirect("workspace_appeals:new")
    if form.is_valid():
        try:
            appeal = appeal_file(application=application, grounds=form.cleaned_data["grounds"],
                                 acting_user=request.user)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            return redirect("workspace_appeals:slip", number=appeal.number)
    return _form_page(request, application, form)


def _form_page(request, application: Application, form: AppealForm):
    basis = appeal_basis(application)
    return no_store(render(request, "workspace/appeal_form.html", {
        "application": application, "name": mask_name(application.person.name), "basis": basis, "form": form}))


@login_required
@permission_required("assistance.add_appeal", raise_exception=True)
def appeal_slip(request, number):
    """The acknowledgement for the family: the appeal's number, its deadline, how to follow it."""
    appeal = get_object_or_404(appeals_for_user(user=request.user), number=number)
    return no_store(render(request, "workspace/appeal_slip.html", {
        "appeal": appeal, "name": mask_name(appeal.application.person.name)}))
