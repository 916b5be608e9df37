"""Small admin building blocks shared by every app."""
from django.contrib import admin
from django.core.paginator import Paginator
from django.utils.functional import cached_property


class AppendOnlyAdmin(admin.ModelAdmin):
    """Rows written only by services: the admin can look, never add, change or delete."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def adopt_saved(obj, saved) -> None:
    """A service built and saved its own instance; the admin's response needs it as `obj`."""
    obj.__dict__.update(saved.__dict__)


def error_text(exc: Exception) -> str:
    """A refused service call (ValidationError, PermissionDenied) as one line for messages.error."""
    return "；".join(getattr(exc, "messages", None) or [str(exc)])


def no_store(response):
    """Pages that show personal data must not be kept by browsers or proxies."""
    response["Cache-Control"] = "no-store"
    return response


class NoStoreMixin:
    """Admin pages of models with personal data are never cached (Cache-Control: no-store)."""

    def changelist_view(self, request, extra_context=None):
        return no_store(super().changelist_view(request, extra_context))

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return no_store(super().changeform_view(request, object_id, form_url, extra_context))

    def history_view(self, request, object_id, extra_context=None):
        return no_store(super().history_view(request, object_id, extra_context))

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        return no_store(super().history_form_view(request, object_id, version_id, extra_context))


class CappedCountPaginator(Paginator):
    """Counts at most CAP rows, so a list over 10 M rows never runs a full count(*).

    Past the cap the admin shows CAP // per_page pages; narrower filters or a search find the rest.
    """

    CAP = 10_000

    @cached_property
    def count(self):
        return self.object_list.values("pk")[: self.CAP + 1].count()
