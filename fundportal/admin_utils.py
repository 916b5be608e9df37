"""Small admin building blocks shared by every app, and the site's policies for every admin."""
from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.contrib.admin.exceptions import NotRegistered
from django.contrib.admin.utils import NotRelationField, get_fields_from_path
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Paginator
from django.http import Http404
from django.utils.formats import number_format
from django.utils.functional import cached_property
from django.utils.translation import gettext


class ScopedRelatedFieldListFilter(admin.RelatedFieldListFilter):
    """A filter over a related model that offers only what the user may see there.

    Django's own filter lists every row of the related table: every screening run, shared or
    not, to a civil-affairs officer. Here the choices are the rows the related model's admin
    lists for this user (its get_queryset is the scoping selector); a user who may not open that
    admin is offered only the values found in their own rows of this list, which they see anyway.
    """

    def field_choices(self, field, request, model_admin):
        ordering = self.field_admin_ordering(field, request, model_admin)
        try:
            related_admin = model_admin.admin_site.get_model_admin(field.remote_field.model)
        except NotRegistered:
            related_admin = None
        if related_admin is not None and related_admin.has_view_permission(request):
            visible = related_admin.get_queryset(request).values("pk")
        else:
            visible = model_admin.get_queryset(request).values(f"{self.field_path}__pk")
        return field.get_choices(include_blank=False, limit_choices_to={"pk__in": visible}, ordering=ordering)


def _scoped(list_filter_item, model):
    """A plain related-field filter (a name, or a name with Django's related filter) → the scoped one."""
    if isinstance(list_filter_item, str):
        path, filter_class = list_filter_item, admin.RelatedFieldListFilter
    elif isinstance(list_filter_item, tuple | list) and list_filter_item[1] is admin.RelatedFieldListFilter:
        path, filter_class = list_filter_item
    else:
        return list_filter_item
    try:
        field = get_fields_from_path(model, path)[-1]
    except (FieldDoesNotExist, NotRelationField):
        return list_filter_item
    if not field.is_relation or filter_class is not admin.RelatedFieldListFilter:
        return list_filter_item
    return (path, ScopedRelatedFieldListFilter)


class PortalAdminPolicy:
    """What every admin of the portal does, whoever wrote it (PortalAdminSite mixes it in):

    - a change, delete or history URL naming no object this user may look at — a malformed id
      ("abc"), a missing one, one outside the user's area, or any one of a model their role may not
      view — is a 404, for every role. Django's default is a redirect with a message repeating the
      id (and a 403 only where the object exists: an oracle of which ids do); custom views crashed
      on "abc". The object's own page still refuses a change with a 403 to whoever may only look;
    - filters over related models offer only the related rows the user may see;
    - the history page is the audit history, or says why the model keeps none
      (fundportal.history_admin).
    """

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)  # None for a malformed or missing id
        if obj is None or not self.has_view_or_change_permission(request, obj):
            raise Http404(gettext("没有找到该记录"))
        return obj

    def get_list_filter(self, request):
        return [_scoped(item, self.model) for item in super().get_list_filter(request)]

    def history_view(self, request, object_id, extra_context=None):
        # The "历史" button shows the audit history (HistoryAdmin) or says why there is none; never
        # Django's admin log, which misses every change made through a service.
        from .history import is_tracked
        from .history_admin import history_not_kept_view

        if is_tracked(self.model):
            return super().history_view(request, object_id, extra_context)
        return history_not_kept_view(self, request, object_id)


class PortalAdminSite(admin.AdminSite):
    """The default admin site, with PortalAdminPolicy mixed into every admin registered on it
    (the portal's own and the libraries' alike, as Django itself subclasses an admin given options)."""

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, PortalAdminPolicy):
            admin_class = type(admin_class.__name__, (PortalAdminPolicy, admin_class),
                               {"__module__": admin_class.__module__, "__qualname__": admin_class.__qualname__})
        super().register(model_or_iterable, admin_class, **options)


class PortalAdminConfig(AdminConfig):
    """django.contrib.admin with PortalAdminSite as admin.site (INSTALLED_APPS names this class)."""

    default_site = "fundportal.admin_utils.PortalAdminSite"


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
    The count itself then reads "10,000 条以上" (count_label, used by the change-list templates in
    templates/admin/), never a number that looks exact.
    """

    CAP = 10_000

    @cached_property
    def count(self):
        return self.object_list.values("pk")[: self.CAP + 1].count()

    @cached_property
    def num_pages(self):
        if self.is_capped:  # the pages the cap covers: a last page "101" would claim an exact total
            return -(-self.CAP // self.per_page)
        return super().num_pages

    @property
    def is_capped(self) -> bool:
        return self.count > self.CAP

    @property
    def count_label(self) -> str:
        if self.is_capped:
            return gettext("%(cap)s 条以上") % {"cap": number_format(self.CAP, force_grouping=True)}
        return number_format(self.count)
