"""Staff sign-in and self-service: after logging in each role lands where its work is
(fundportal.roles.ROLE_LANDING); every staff user manages their own API tokens."""
from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.views import LoginView
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from .admin_utils import error_text
from .responses import no_store
from .roles import landing_url
from .tokens import api_token_issue, api_token_revoke, api_tokens_of


class LandingLoginView(LoginView):
    """The admin's login page and form; without a destination of its own, to the role's desk.

    "/admin/" counts as no destination: it is where the home page's staff link and a bare visit
    lead, and it is nobody's work for a clerk."""

    authentication_form = AdminAuthenticationForm
    template_name = "admin/login.html"
    redirect_authenticated_user = True

    def get_redirect_url(self):
        url = super().get_redirect_url()
        return "" if url == reverse("admin:index") else url

    def get_default_redirect_url(self):
        return landing_url(self.request.user)

    def get_context_data(self, **kwargs):
        request = self.request
        return {**super().get_context_data(**kwargs), **admin.site.each_context(request),
                "title": _("登录"), "subtitle": None, "app_path": request.get_full_path(),
                "username": request.user.get_username()}

    def dispatch(self, request, *args, **kwargs):
        # Only staff accounts may be "already logged in" here (as the admin's own login view).
        if request.user.is_authenticated and not admin.site.has_permission(request):
            self.redirect_authenticated_user = False
        return super().dispatch(request, *args, **kwargs)


staff_login = LandingLoginView.as_view()


def _my_api_tokens(request):
    user = request.user
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "issue":
                token, key = api_token_issue(user=user, acting_user=user)
                return no_store(render(request, "admin/api_token_issued.html", {
                    **admin.site.each_context(request), "title": _("API 令牌已签发"), "key": key, "token": token,
                    "back_url": reverse("my_api_tokens")}))
            if action == "revoke":
                created = parse_datetime(request.POST.get("created") or "")
                token = api_tokens_of(user).filter(created=created).first() if created else None
                if token is None:
                    messages.error(request, _("没有找到这个令牌，可能已经撤销或过期"))
                else:
                    api_token_revoke(token=token, acting_user=user)
                    messages.success(request, _("令牌已撤销"))
        except (PermissionDenied, ValidationError) as exc:
            messages.error(request, error_text(exc))
        return redirect("my_api_tokens")
    return no_store(render(request, "admin/my_api_tokens.html", {
        **admin.site.each_context(request), "title": _("我的 API 令牌"), "tokens": api_tokens_of(user)}))


my_api_tokens = admin.site.admin_view(never_cache(require_http_methods(["GET", "POST"])(_my_api_tokens)))
