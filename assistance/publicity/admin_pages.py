"""An objection's own pages in the admin: recording one received by phone, letter or visit (the
admin's add page), its slip with the number and look-up code, and the two moves — 登记核查情况
and 办结 — each calling its service. ObjectionAdmin mixes them in.

Every move reaches its objection through ObjectionAdmin.get_queryset (selectors.objections_for_user),
so an officer of another area gets a 404; a form is shown only to a role that may submit it, and
the service checks everything again under its locks (the area, the state, the original decider).
"""
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext

from fundportal.forms import form_add_service_errors
from fundportal.responses import no_store

from ..admin_common import page_context
from . import selectors, services
from .forms import DecideForm, InvestigateForm, RecordForm
from .models import Objection

State = Objection.State
_SLIP_KEY = "objection_recorded"  # the number and code, shown once on the slip (kept in the session)


def may_investigate(user, objection: Objection) -> bool:
    return (user.has_perm("assistance.investigate_objection")
            and Objection.MOVES.allows(objection.state, State.INVESTIGATING))


def may_decide(user, objection: Objection) -> bool:
    return user.has_perm("assistance.decide_objection") and objection.is_open


def decide_refusal(user, objection: Objection) -> str:
    """Why this officer, who may decide objections, may not decide this one (else "")."""
    if may_decide(user, objection) and user.pk in services.deciders_of(objection.entry):
        return gettext("您参与了该户原决定（资格认定或签署决议），不能办结针对它的异议，请由其他人员办理")
    return ""


def lookup_page() -> str:
    """Where the objector follows the outcome (the public pages, where they are installed)."""
    try:
        return reverse("publicity:objection_lookup")
    except NoReverseMatch:
        return "/publicity/objection/"


class ObjectionPages:
    """The record page (the add page), its slip, and the move pages of ObjectionAdmin."""

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("recorded/", wrap(self.recorded_view), name="assistance_objection_recorded"),
            path("<int:pk>/investigate/", wrap(self.investigate_view), name="assistance_objection_investigate"),
            path("<int:pk>/decide/", wrap(self.decide_view), name="assistance_objection_decide"),
        ] + super().get_urls()

    # ----------------------------------------------------------------------------------- the page

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if object_id is None:
            return self.add_view(request)
        objection = self.get_object(request, unquote(object_id))  # 404 if malformed, missing, elsewhere
        refusal = decide_refusal(request.user, objection)
        extra = {
            "investigate_form": InvestigateForm() if may_investigate(request.user, objection) else None,
            "decide_form": DecideForm() if may_decide(request.user, objection) and not refusal else None,
            "decide_refusal": refusal,
        }
        return super().changeform_view(request, object_id, form_url, {**(extra_context or {}), **extra})

    # ------------------------------------------------------------------------------------- moves

    def _objection(self, request, pk) -> Objection:
        return get_object_or_404(self.get_queryset(request), pk=pk)

    def _move(self, request, objection, form, call, *, title: str, success: str):
        """A move's page: its form (with the service's refusal, if any); on success back to the objection."""
        if request.method == "POST" and form.is_valid():
            try:
                call(form.cleaned_data)
            except ValidationError as exc:
                form_add_service_errors(form, exc)
            else:
                messages.success(request, success)
                return HttpResponseRedirect(reverse("admin:assistance_objection_change", args=[objection.pk]))
        return no_store(render(request, "admin/assistance/objection/move.html", page_context(
            self, request, objection=objection, form=form, title=f"{objection.number}：{title}",
            sees_objector=selectors.sees_objector(request.user))))

    def _unavailable(self, request, objection, refusal: str):
        """A move this user cannot make on this objection now: say why on the objection's page
        instead of showing a form whose submission could only fail (and lose what was typed)."""
        messages.error(request, refusal)
        return HttpResponseRedirect(reverse("admin:assistance_objection_change", args=[objection.pk]))

    def investigate_view(self, request, pk):
        objection = self._objection(request, pk)
        if not request.user.has_perm("assistance.investigate_objection"):
            raise PermissionDenied
        if not may_investigate(request.user, objection):
            return self._unavailable(request, objection, gettext("该异议当前状态为“%(state)s”，不能登记核查情况") % {
                "state": objection.get_state_display()})
        form = InvestigateForm(request.POST or None)
        return self._move(request, objection, form, lambda data: services.objection_investigate(
            objection=objection, acting_user=request.user, investigation=data["investigation"],
            visited_on=data["visited_on"]), title=gettext("登记核查情况"), success=gettext("已登记核查情况"))

    def decide_view(self, request, pk):
        objection = self._objection(request, pk)
        if not request.user.has_perm("assistance.decide_objection"):
            raise PermissionDenied
        if not may_decide(request.user, objection):
            return self._unavailable(request, objection, gettext("该异议已办结（%(state)s）") % {
                "state": objection.get_state_display()})
        if refusal := decide_refusal(request.user, objection):
            return self._unavailable(request, objection, refusal)
        form = DecideForm(request.POST or None)
        return self._move(request, objection, form, lambda data: services.objection_decide(
            objection=objection, acting_user=request.user, upheld=data["upheld"], reason=data["reason"]),
            title=gettext("办结异议"), success=gettext("异议已办结"))

    # ------------------------------------------------------------------------ recording one received

    def add_view(self, request, form_url="", extra_context=None):
        """An objection received by phone, letter or in person: staff name the 公示 and the line."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = RecordForm(request.POST or None, publicities=selectors.publicities_open_to_objection(user=request.user))
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            entry = selectors.entry_by_line(data["publicity"], data["line"])
            if entry is None:
                form.add_error("line", gettext("该公示没有第 %(line)s 号") % {"line": data["line"]})
            else:
                try:
                    objection = services.objection_record(
                        entry=entry, channel=data["channel"], content=data["content"],
                        received_on=data["received_on"], acting_user=request.user,
                        objector_name=data["objector_name"], contact=data["contact"])
                except ValidationError as exc:
                    form_add_service_errors(form, exc)
                else:
                    # Post/redirect/get: the slip reads the number and code from the session, once,
                    # so the code never travels in an address or a cookie.
                    request.session[_SLIP_KEY] = {"pk": objection.pk, "number": objection.number,
                                                  "code": objection.lookup_code, "due_on": objection.due_on.isoformat()}
                    return HttpResponseRedirect(reverse("admin:assistance_objection_recorded"))
        return no_store(render(request, "admin/assistance/objection/record.html", page_context(
            self, request, form=form, title=gettext("登记公示异议（电话、信函、来访）"))))

    def recorded_view(self, request):
        slip = request.session.pop(_SLIP_KEY, None)
        if slip is None or not self.has_add_permission(request):
            raise Http404(gettext("没有刚登记的异议"))
        viewable = self.get_queryset(request).filter(pk=slip["pk"]).exists()
        return no_store(render(request, "admin/assistance/objection/recorded.html", page_context(
            self, request, slip=slip, lookup=lookup_page(), title=gettext("异议已登记"),
            objection_url=reverse("admin:assistance_objection_change", args=[slip["pk"]]) if viewable else "")))
