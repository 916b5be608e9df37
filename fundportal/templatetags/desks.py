"""The desks a staff user may use, linked from every desk's header (admin, workspace, audit trail)."""
from django import template
from django.contrib import admin
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

register = template.Library()


def desks_for(request) -> list[tuple[str, str, str]]:
    """(key, label, url) for each desk this user may open; the public pages for everybody."""
    user = getattr(request, "user", None)
    desks = []
    if user is not None and user.is_authenticated and user.is_active and user.is_staff:
        desks.append(("work_queue", _("我的待办"), reverse("work_queue")))
        if admin.site.get_app_list(request):
            desks.append(("admin", _("管理后台"), reverse("admin:index")))
        if user.has_perm("assistance.add_application"):
            desks.append(("workspace", _("申请受理工作台"), reverse("workspace:home")))
        if user.has_perm("fundportal.view_audit_trail"):
            desks.append(("audit", _("审计日志"), reverse("audit_trail")))
        desks.append(("api_tokens", _("我的 API 令牌"), reverse("my_api_tokens")))
        desks.append(("api_docs", _("API 文档"), reverse("api_docs")))
    desks.append(("disclosure", _("信息公开"), reverse("disclosure:overview")))
    return desks


@register.simple_tag(takes_context=True)
def staff_desks(context, current=""):
    request = context.get("request")
    return [desk for desk in desks_for(request) if desk[0] != current] if request is not None else []
