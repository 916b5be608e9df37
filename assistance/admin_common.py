"""What the assistance stages' admin pages share: the town filter of every list of people by area,
and the context of the custom admin pages."""
from django.utils.translation import gettext_lazy as _

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
