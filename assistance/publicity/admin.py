"""公示 and objections (异议) in the admin.

A 公示 only reads: its period, who posted it, its entries with what holds each back, and its
objection counts. Objections are listed through selectors.objections_for_user (an officer sees
their own area's only; anything else is a 404), names and contacts masked; an objection's page
offers 登记核查情况 and 办结 to whoever may submit them, and a page records an objection received
by phone, letter or visit (admin_pages.py). Every change goes through assistance/publicity/
services.py. assistance/admin.py registers these admins.
"""
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.db.models import Count, Q
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from fundportal.admin_utils import CappedCountPaginator, NoStoreMixin
from fundportal.history_admin import HistoryAdmin
from fundportal.masking import mask_name
from fundportal.workqueue_admin import work_queue_filter

from ..admin_common import DueFilter, TownFilter, due_cell
from . import selectors
from .admin_pages import ObjectionPages
from .models import Objection, Publicity
from .queue import OBJECTION_QUEUE

OPEN = Objection.OPEN_STATES


def public_page(publicity: Publicity):
    """The 公示's public page: a link where the public pages are installed, else its path."""
    try:
        url = reverse("publicity:detail", args=[publicity.resolution_id])
    except NoReverseMatch:
        return f"/publicity/{publicity.resolution_id}/"
    return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, url)


def area_name(region) -> str:
    """A village with its town (塘下镇 韩田村); a town alone."""
    parent = region.parent if region.parent_id and region.level == region.Level.VILLAGE else None
    return f"{parent.name} {region.name}" if parent else region.name


class PublicityAdmin(NoStoreMixin, HistoryAdmin):
    list_display = ("__str__", "starts_on", "ends_on", "payable_from_shown", "entry_count_shown",
                    "objections_received", "objections_open", "objections_upheld", "objections_dismissed")
    list_select_related = ("resolution", "posted_by")
    date_hierarchy = "starts_on"
    show_full_result_count = False
    fields = readonly_fields = ("resolution_shown", "starts_on", "ends_on", "days", "payable_from_shown",
                                "posted_by", "posted_at", "public_page_shown", "counts")
    change_form_template = "admin/assistance/publicity/change_form.html"

    def get_queryset(self, request):
        return selectors.publicities_for_user(user=request.user).annotate(
            received=Count("entries__objections", distinct=True),
            open=Count("entries__objections", filter=Q(entries__objections__state__in=OPEN), distinct=True),
            upheld=Count("entries__objections", filter=Q(entries__objections__state=Objection.State.UPHELD),
                         distinct=True),
            dismissed=Count("entries__objections", filter=Q(entries__objections__state=Objection.State.DISMISSED),
                            distinct=True))

    def has_add_permission(self, request):
        return False  # posted by signing the resolution

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("依据决议"))
    def resolution_shown(self, publicity):
        return str(publicity.resolution)  # the page links it for those who may open resolutions

    @admin.display(description=_("可发放日期"), ordering="ends_on")
    def payable_from_shown(self, publicity):
        return publicity.payable_from

    @admin.display(description=_("公示人数"))
    def entry_count_shown(self, publicity):
        return publicity.entry_count

    @admin.display(description=_("收到异议"))
    def objections_received(self, publicity):
        return publicity.received

    @admin.display(description=_("办理中"))
    def objections_open(self, publicity):
        return publicity.open

    @admin.display(description=_("成立"))
    def objections_upheld(self, publicity):
        return publicity.upheld

    @admin.display(description=_("不成立"))
    def objections_dismissed(self, publicity):
        return publicity.dismissed

    @admin.display(description=_("公开页面"))
    def public_page_shown(self, publicity):
        return public_page(publicity)

    @admin.display(description=_("异议情况"))
    def counts(self, publicity):
        counts = selectors.objection_counts(publicity)
        return (f"收到 {counts.received} 件：成立 {counts.upheld} 件，不成立 {counts.dismissed} 件，"
                f"办理中 {counts.open} 件")

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if object_id is None:  # no add page: Django's answer (403)
            return super().changeform_view(request, object_id, form_url, extra_context)
        publicity = self.get_object(request, unquote(object_id))  # 404 if malformed, missing or not viewable
        holds = selectors.publicity_holds(publicity.resolution)
        reasons = {entry.pk: reason for entry, reason, _objections in holds.held}
        visible = set(selectors.objections_for_user(user=request.user).filter(entry__publicity=publicity)
                      .values_list("pk", flat=True))
        entries = list(publicity.entries.select_related("region__parent").prefetch_related("objections")
                       .order_by("line"))
        for entry in entries:
            entry.area = area_name(entry.region)
            entry.hold_reason = reasons.get(entry.pk, "")
            entry.objection_list = [o for o in entry.objections.all() if o.pk in visible]
        return super().changeform_view(request, object_id, form_url, {
            **(extra_context or {}), "entries": entries, "running": holds.running,
            "resolution_url": reverse("admin:assistance_resolution_change", args=[publicity.resolution_id])
            if request.user.has_perm("assistance.view_resolution") else ""})


class ObjectionDueFilter(DueFilter):
    open_states = tuple(OPEN)


class ObjectionAdmin(ObjectionPages, NoStoreMixin, HistoryAdmin):
    list_display = ("number", "entry_shown", "village", "channel", "state", "received_on", "due", "decided_at",
                    "objector_masked")
    list_filter = (work_queue_filter(OBJECTION_QUEUE), "state", ObjectionDueFilter, TownFilter, "channel")
    list_select_related = ("entry__publicity__resolution", "region__parent")
    search_fields = ("number__exact",)
    search_help_text = _("按异议编号精确查找（仅本辖区）")
    show_full_result_count = False
    paginator = CappedCountPaginator
    change_form_template = "admin/assistance/objection/change_form.html"
    OBJECTOR_FIELDS = ("objector_name", "contact", "content", "investigation")
    fields = ("number", "entry_shown", "village", "amount", "channel", "received_on", "due", "state",
              "objector_name", "contact", "content", "recorded_by", "investigation", "visited_on",
              "investigated_by", "decision_reason", "decided_by", "decided_at", "hold")

    def get_queryset(self, request):
        return selectors.objections_for_user(user=request.user).select_related("region__parent")

    def get_fields(self, request, obj=None):
        if selectors.sees_objector(request.user):
            return self.fields
        return tuple(field for field in self.fields if field not in self.OBJECTOR_FIELDS)

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    def has_add_permission(self, request):
        return request.user.has_perm("assistance.add_objection")  # the add page records one (admin_pages.py)

    def has_change_permission(self, request, obj=None):
        return False  # investigated and decided through their own forms and services

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("异议的公示名单"))
    def entry_shown(self, objection):
        entry = objection.entry
        return f"{entry.publicity.resolution.number} 第{entry.line}号 {entry.shown_name}"

    @admin.display(description=_("村（社区）"))
    def village(self, objection):
        return area_name(objection.region)

    @admin.display(description=_("救助金额"))
    def amount(self, objection):
        return objection.entry.amount

    @admin.display(description=_("办理期限"), ordering="due_on")
    def due(self, objection):
        return due_cell(objection.due_on, is_open=objection.is_open)

    @admin.display(description=_("异议人"))
    def objector_masked(self, objection):
        name = mask_name(objection.objector_name) or "匿名"
        return f"{name}（{selectors.contact_masked(objection.contact)}）" if objection.contact else name

    @admin.display(description=_("暂缓发放"))
    def hold(self, objection):
        entry = objection.entry
        return selectors.item_hold_reason(entry.item) or "—"
