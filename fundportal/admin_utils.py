"""Small admin building blocks shared by every app, and the site's policies for every admin."""
import datetime as dt
import functools
import re
import secrets

from django.contrib import admin, messages
from django.contrib.admin.apps import AdminConfig
from django.contrib.admin.exceptions import NotRegistered
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import NotRelationField, get_fields_from_path
from django.contrib.admin.views.main import PAGE_VAR, SEARCH_VAR, ChangeList
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect, QueryDict
from django.utils.formats import number_format
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.utils.translation import gettext

from .history import is_tracked
from .history_admin import history_not_kept_view
from .money import format_money
from .responses import no_store

# A whole number as a query string may carry it: ASCII digits, and few enough to fit a bigint
# (a longer one reached PostgreSQL as "value out of range", a 500).
_WHOLE_NUMBER = re.compile(r"^[0-9]{1,18}$")


def int_param(value) -> int | None:
    """An id or a year from a query string or a form field, or None for anything else ("abc",
    "", "1.5", "９", "99999999999999999999"). Views treat None as "not given"."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 0 <= value < 10 ** 18 else None
    if isinstance(value, str) and _WHOLE_NUMBER.match(value.strip()):
        return int(value.strip())
    return None


def ignored_filter_message(request, title) -> None:
    """The one message for a filter value that was not understood and so was not applied."""
    said = request.__dict__.setdefault("_portal_ignored_filters", set())  # once, though facets re-read filters
    if str(title) not in said:
        said.add(str(title))
        messages.warning(request, gettext("筛选条件“%(title)s”的值无效，已忽略，列表未按此筛选") % {"title": title})


class CheckedListFilter(admin.SimpleListFilter):
    """A list filter whose value is checked before any query sees it.

    Anyone can type a query string: ?town=abc or ?run=99999999999999999999 went to the database
    as they were and came back as a 500. Here `clean` turns the raw value into what `queryset`
    needs (read it with `cleaned()`) or raises ValueError; a value that fails is dropped with a
    message, and the list is shown unfiltered. By default a value must be one of the filter's
    own choices, which also keeps a filter inside the user's area. Every SimpleListFilter of the
    portal derives from this class (a test walks the admins).
    """

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        raw = self.value()
        if raw is None:
            return
        try:
            self.clean(raw)
        except (ValueError, TypeError, OverflowError, ValidationError):
            del self.used_parameters[self.parameter_name]
            ignored_filter_message(request, self.title)

    def clean(self, value):
        """The value `queryset` uses; ValueError for one this filter does not offer.

        The value is the text of the address (?town=2) or, while Django counts each choice for
        "显示计数" (?_facets=…), the choice's own key as `lookups` gave it (the integer 2): both
        are compared as text, as Django marks the selected choice, and the key itself is returned.
        """
        for key, _label in self.lookup_choices:
            if str(key) == str(value):
                return key
        raise ValueError(value)

    def cleaned(self):
        raw = self.value()
        return None if raw is None else self.clean(raw)


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


@functools.cache
def _checked(filter_class: type) -> type:
    """A library's SimpleListFilter with its value checked (against its own choices)."""
    return type(filter_class.__name__, (CheckedListFilter, filter_class),
                {"__module__": filter_class.__module__, "__qualname__": filter_class.__qualname__})


def _scoped(list_filter_item, model):
    """A plain related-field filter (a name, or a name with Django's related filter) → the scoped
    one; a SimpleListFilter not yet checked → a checked one."""
    if isinstance(list_filter_item, type) and issubclass(list_filter_item, admin.SimpleListFilter):
        return list_filter_item if issubclass(list_filter_item, CheckedListFilter) else _checked(list_filter_item)
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


# The years the date drill-down accepts: four digits, and one short of the last so that Django's
# "the next year" still exists (9999 → 10000 was a ValueError, 99999999999999999999 an
# OverflowError: both 500s). 1000 keeps a datetime's shift to UTC inside the calendar.
DRILLDOWN_YEARS = range(1000, 9999)


def _drilldown_ok(params: dict, field: str) -> bool:
    """Whether the date drill-down's year, month and day (each optional) name a real day."""
    parts = {}
    for part in ("year", "month", "day"):
        values = params.get(f"{field}__{part}")
        if values is None:
            continue
        number = int_param(values[-1] if isinstance(values, list) else values)
        if number is None:
            return False
        parts[part] = number
    if "year" in parts and parts["year"] not in DRILLDOWN_YEARS:
        return False
    try:
        dt.date(parts.get("year", 2000), parts.get("month", 1), parts.get("day", 1))
    except (ValueError, OverflowError):
        return False
    return True


class PortalChangeList(ChangeList):
    """Django's change list, refusing a date drill-down outside the calendar as Django refuses
    ?held_on__year=abc: IncorrectLookupParameters, the list shown again without the filters."""

    def __init__(self, request, *args, **kwargs):
        self.request = request
        super().__init__(request, *args, **kwargs)

    @property
    def search_shown(self) -> str:
        """What the search box shows: the term the address's token stands for."""
        return search_term(self.request, self.query) or ""

    def get_filters(self, request):
        if self.date_hierarchy and not _drilldown_ok(self.get_filters_params(), self.date_hierarchy):
            raise IncorrectLookupParameters(gettext("日期超出范围"))
        return super().get_filters(request)


# Searches of admin lists go by POST and the address keeps only a token: the term stays in the
# user's session (a name typed in a search box must not land in browser history, proxy and
# server logs). SEARCH_FLAG marks the search form's POST apart from an action's.
SEARCH_FLAG = "_search"
_SEARCH_SESSION_KEY = "admin_searches"
_SEARCH_TOKEN = re.compile(r"^~[A-Za-z0-9_-]{12}$")
_SEARCHES_KEPT = 50


def _search_remember(request, term: str) -> str:
    searches = dict(request.session.get(_SEARCH_SESSION_KEY, {}))
    token = "~" + secrets.token_urlsafe(9)
    searches[token] = term
    request.session[_SEARCH_SESSION_KEY] = dict(list(searches.items())[-_SEARCHES_KEPT:])
    return token


def search_term(request, token: str) -> str | None:
    """The term a search token stands for in this user's session, or None."""
    if not _SEARCH_TOKEN.match(token or ""):
        return None
    return request.session.get(_SEARCH_SESSION_KEY, {}).get(token)


class PortalAdminPolicy:
    """What every admin of the portal does, whoever wrote it (PortalAdminSite mixes it in):

    - a change, delete or history URL naming no object this user may look at — a malformed id
      ("abc"), a missing one, one outside the user's area, or any one of a model their role may not
      view — is a 404, for every role. Django's default is a redirect with a message repeating the
      id (and a 403 only where the object exists: an oracle of which ids do); custom views crashed
      on "abc". The object's own page still refuses a change with a 403 to whoever may only look;
    - filters over related models offer only the related rows the user may see, and a custom
      filter's value is checked (CheckedListFilter: one it does not offer is ignored, with a message);
    - a list's search is sent by POST and its address carries a token, never the term (names and
      ID numbers are typed there); a term typed into the address bar (?q=…) is not searched;
    - a date drill-down outside the calendar is refused like any malformed filter, never a 500;
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
        if is_tracked(self.model):
            return super().history_view(request, object_id, extra_context)
        return history_not_kept_view(self, request, object_id)

    def get_changelist(self, request, **kwargs):
        return PortalChangeList

    def changelist_view(self, request, extra_context=None):
        if request.method == "POST" and SEARCH_FLAG in request.POST:
            return self._search_redirect(request)
        term = request.GET.get(SEARCH_VAR, "")
        if request.method == "GET" and term.strip() and search_term(request, term) is None:
            messages.warning(request, gettext("请在列表上方的搜索框中输入要查找的内容（搜索内容不出现在网址中）"))
            kept = {key: values for key, values in request.GET.lists() if key != SEARCH_VAR}
            return HttpResponseRedirect(request.path + (f"?{urlencode(kept, doseq=True)}" if kept else ""))
        return super().changelist_view(request, extra_context)

    def _search_redirect(self, request):
        """The search form's POST: the list again, its filters kept, the term behind a token."""
        kept = {key: values for key, values in request.POST.lists()
                if key not in (SEARCH_FLAG, SEARCH_VAR, PAGE_VAR, "csrfmiddlewaretoken")}
        term = request.POST.get(SEARCH_VAR, "").strip()
        if term:
            kept[SEARCH_VAR] = [_search_remember(request, term)]
        return HttpResponseRedirect(request.path + (f"?{urlencode(kept, doseq=True)}" if kept else ""))

    def get_search_results(self, request, queryset, search_term_or_token):
        # The change list passes the token from its address; the autocomplete passes a term.
        term = search_term(request, search_term_or_token)
        return super().get_search_results(request, queryset, search_term_or_token if term is None else term)


class PortalAdminSite(admin.AdminSite):
    """The default admin site, with PortalAdminPolicy mixed into every admin registered on it
    (the portal's own and the libraries' alike, as Django itself subclasses an admin given options).
    Its autocomplete (a donor picked by name) takes the typed term by POST only, like the lists'
    searches: static/admin/js/autocomplete.js sends it so."""

    def autocomplete_view(self, request):
        if request.method != "POST":
            # Refused as before to whoever may not use it (a 403); to the others a 405, the term unread.
            request.GET = QueryDict(urlencode([(key, value) for key, value in request.GET.items() if key != "term"]))
            response = super().autocomplete_view(request)
            return HttpResponseNotAllowed(["POST"]) if response.status_code == 200 else response
        # Django's view reads GET: give it the body, so the term never travels in the address.
        request.GET, request.method = request.POST, "GET"
        return super().autocomplete_view(request)

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


def money_column(description, **display):
    """An admin list column of money computed by a method (a sum, an annotation): always shown
    with two places, 165,822.00 (a Decimal column left to Django read "165,822" on SQLite).
    Model MoneyFields need nothing: Django shows them with their two decimal places."""
    def decorate(method):
        @admin.display(description=description, **display)
        @functools.wraps(method)
        def column(model_admin, obj):
            amount = method(model_admin, obj)
            return model_admin.get_empty_value_display() if amount is None else format_money(amount)
        return column
    return decorate


def adopt_saved(obj, saved) -> None:
    """A service built and saved its own instance; the admin's response needs it as `obj`."""
    obj.__dict__.update(saved.__dict__)


def error_text(exc: Exception) -> str:
    """A refused service call (ValidationError, PermissionDenied) as one line for messages.error."""
    return "；".join(getattr(exc, "messages", None) or [str(exc)])


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
