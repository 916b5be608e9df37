"""The family's progress page (/progress/): public, no login, phone-first, Chinese (English under
/en/). Thin: the look-up is fundportal.lookups' (only failures count; a wrong code and a missing
number answer alike, 404), the steps are selectors.progress_of, a review request is the appeals
stage's service. A verified number is remembered in the session: the case page and the review
form need no code again. Every answer is never_cache: it is about one family."""
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fundportal import public_record
from fundportal.forms import form_add_service_errors
from fundportal.lookups import verified_has, verified_remember

from ..appeals.services import appeal_submit_online
from ..applications.models import Application
from ..applications.services import application_notice_opt_out
from ..payouts.models import Payout
from . import selectors
from .forms import AppealForm, ProgressLookupForm
from .lookup import SESSION_KEY, progress_find

TEMPLATE = "progress/progress.html"


@never_cache
@require_http_methods(["GET", "POST"])
def progress_lookup(request):
    """GET: the form, or the slip's QR link (?n=…&c=…). POST: the form. The case when both match."""
    data = request.POST if request.method == "POST" else (request.GET if "n" in request.GET else None)
    form = ProgressLookupForm(data)
    if data is None or not form.is_valid():
        return render(request, TEMPLATE, {"form": form})
    result = progress_find(request, number=form.cleaned_data["n"], code=form.cleaned_data["c"])
    if result.found is None:
        return render(request, TEMPLATE, {"form": form, "blocked": result.blocked, "not_found": result.not_found},
                      status=result.status)
    verified_remember(request, key=SESSION_KEY, number=result.found.number)
    return _case_page(request, result.found)


def _verified(request, number: str) -> Application | None:
    if not verified_has(request, key=SESSION_KEY, number=number):
        return None
    return Application.objects.filter(number=number).first()


@never_cache
@require_GET
def progress_case(request):
    """The case again, for a browser that proved its code (after a review request, a reload)."""
    application = _verified(request, request.GET.get("n", ""))
    if application is None:
        return redirect("progress:lookup")
    return _case_page(request, application)


@never_cache
@require_POST
def appeal_submit(request):
    """The family asks for a review (复核) of the decision on its case."""
    form = AppealForm(request.POST)
    application = _verified(request, request.POST.get("n", ""))
    if application is None:
        return render(request, TEMPLATE, {"form": ProgressLookupForm(), "not_found": True}, status=404)
    if form.is_valid():
        try:
            appeal_submit_online(application=application, grounds=form.cleaned_data["grounds"])
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            return redirect(reverse("progress:case") + f"?n={application.number}#review")
    return _case_page(request, application, appeal_form=form, status=400)


@never_cache
@require_POST
def notices_choice(request):
    """The family stops its SMS notices (退订), or takes them again: for a browser that proved the
    code, as the review request; a wrong code and a missing number are refused alike."""
    application = _verified(request, request.POST.get("n", ""))
    if application is None:
        return render(request, TEMPLATE, {"form": ProgressLookupForm(), "not_found": True}, status=404)
    try:
        application_notice_opt_out(application=application, opt_out=request.POST.get("choice") != "resume")
    except ValidationError as exc:
        return _case_page(request, application, notices_error=exc.messages[0], status=400)
    return redirect(reverse("progress:case") + f"?n={application.number}#notices")


def _case_page(request, application: Application, *, appeal_form: AppealForm | None = None,
               notices_error: str = "", status: int = 200):
    progress = selectors.progress_of(application)
    if appeal_form is None and progress.review.can_ask:
        appeal_form = AppealForm(initial={"n": application.number})
    # Where the payout was published, its proof checked (only once paid: a payout stated is a paid one).
    published = public_record.published_in(public_record.entries_of(Payout.objects.filter(application=application)))
    return render(request, TEMPLATE, {"progress": progress, "appeal_form": appeal_form, "published": published,
                                      "notices": _notices_state(application), "notices_error": notices_error},
                  status=status)


def _notices_state(application: Application) -> str:
    """on, off (opted out: may take them again), or none (no consent given at the counter). No phone shown."""
    if not application.notice_consent:
        return "none"
    return "off" if application.notice_opted_out_at is not None else "on"
