"""What the assistance stages' admin pages share: the town filter of every list of people by area,
the context of the custom admin pages, and a deadline shown with overdue marked (its filter too)."""
import datetime as dt

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext, gettext_lazy as _

from fundportal.admin_utils import CheckedListFilter
from fundportal.models import Region

from .access import sees_all_medical_data


class TownFilter(CheckedListFilter):
    """Towns/streets inside the user's own area (all towns for the MSB); a town it does not offer
    is ignored (CheckedListFilter)."""

    title = _("乡镇/街道")
    parameter_name = "town"

    def lookups(self, request, model_admin):
        towns = Region.objects.filter(level=Region.Level.TOWN).order_by("code")
        if not sees_all_medical_data(request.user):
            area = request.user.region
            towns = towns.filter(path__startswith=area.path) if area else towns.none()
        return [(town.pk, town.name) for town in towns]

    def queryset(self, request, queryset):
        town = Region.objects.filter(pk=self.cleaned()).first() if self.value() else None
        return queryset.filter(region__path__startswith=town.path) if town else queryset


def page_context(model_admin, request, **extra) -> dict:
    """A custom admin page's context: the site's own (menus, user) and the model's options."""
    return {**model_admin.admin_site.each_context(request), "opts": model_admin.model._meta, **extra}


def due_cell(due_on, *, is_open: bool):
    """A deadline in a list or on a page: marked 已逾期 (class "overdue", static/css/admin.css)
    while the work is open and past it, as the review cases' lists show theirs."""
    if due_on is None:
        return "—"
    day = date_format(due_on)
    if is_open and due_on < timezone.localdate():
        return format_html('<span class="overdue">{}（{}）</span>', day, gettext("已逾期"))
    return day


class DueFilter(CheckedListFilter):
    """办理期限: past it, or due within three days, among the open rows (a subclass names its
    model's `open_states`) of a list whose rows have a due_on."""

    title = _("办理期限")
    parameter_name = "overdue"
    open_states: tuple = ()

    def lookups(self, request, model_admin):
        return [("yes", _("已逾期")), ("soon", _("3 日内到期"))]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "yes":
            return queryset.filter(state__in=self.open_states, due_on__lt=today)
        if self.value() == "soon":
            return queryset.filter(state__in=self.open_states, due_on__gte=today,
                                   due_on__lte=today + dt.timedelta(days=3))
        return queryset
