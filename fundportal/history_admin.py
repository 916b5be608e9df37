"""The admin's history pages (django-simple-history), read-only and masked like the audit trail.

Every admin that shows simple-history pages subclasses `HistoryAdmin`; a system check
(fundportal.E101) refuses to start a site where one does not. What it changes:
- the history list shows each change as the audit trail does (labels, names, Beijing time, personal
  fields masked: fundportal.history.value_text);
- a version's page is a table of that version's values, masked the same way, never the change form
  with every field: nothing to revert, since history here is read-only (a POST is refused);
- neither page is kept by a browser or proxy (Cache-Control: no-store).
"""
from django.core import checks
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from .admin_utils import no_store
from .history import ACTIONS, RelatedNames, actor_display, record_display, value_text, version_values, when_text
from .masking import masked_display


class MaskedHistoryContextHelper(HistoricalRecordContextHelper):
    """simple-history's formatter of a change, with the audit trail's display and masking rules."""

    def __init__(self, model, historical_record, *, related: RelatedNames):
        super().__init__(model, historical_record)
        self.related = related

    def context_for_delta_changes(self, delta):
        return [
            {"field": str(self.model._meta.get_field(c.field).verbose_name),
             "old": value_text(self.model, c.field, c.old, instance=delta.old_record, related=self.related),
             "new": value_text(self.model, c.field, c.new, instance=delta.new_record, related=self.related)}
            for c in delta.changes
        ]


class HistoryAdmin(SimpleHistoryAdmin):
    object_history_template = "simple_history/object_history.html"
    object_history_list_template = "simple_history/object_history_list.html"
    object_history_form_template = "simple_history/object_history_form.html"

    def get_historical_record_context_helper(self, request, historical_record):
        if not hasattr(request, "_history_related_names"):
            request._history_related_names = RelatedNames()
        return MaskedHistoryContextHelper(self.model, historical_record, related=request._history_related_names)

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=False):
        # Foreign keys as ids: RelatedNames names each related object once, masked when it is a person.
        super().set_history_delta_changes(request, historical_records, foreign_keys_are_objs=False)
        for record in historical_records:
            record.history_when = when_text(record.history_date)
            record.history_action = ACTIONS.get(record.history_type, record.history_type)
            record.history_actor = actor_display(record)
            record.history_display = record_display(record)

    def revert_disabled(self, request, obj=None):
        return True

    def history_view_title(self, request, obj):
        return _("查看历史：%s") % masked_display(obj)

    def history_view(self, request, object_id, extra_context=None):
        return no_store(super().history_view(request, object_id, extra_context))

    def render_history_view(self, request, template, context, **kwargs):
        if "object" in context:  # the breadcrumbs name the object as history does
            context["object_display"] = masked_display(context["object"])
        return super().render_history_view(request, template, context, **kwargs)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"], "历史记录只读，不能据此恢复或修改")
        request.current_app = self.admin_site.name
        opts = self.model._meta
        record = get_object_or_404(self.model.history.select_related("history_user"),
                                   **{opts.pk.attname: object_id, "history_id": version_id})
        obj = record.instance
        if not self.has_view_history_or_change_history_permission(request, obj):
            raise PermissionDenied
        url = f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}"
        context = {
            **self.admin_site.each_context(request),
            "title": _("历史版本：%s") % record_display(record),
            "opts": opts, "original_opts": opts, "app_label": opts.app_label,
            "record_display": record_display(record),
            "history_when": when_text(record.history_date),
            "history_action": ACTIONS.get(record.history_type, record.history_type),
            "history_actor": actor_display(record),
            "history_reason": record.history_change_reason or "",
            "values": version_values(self.model, record),
            "changelist_url": reverse(f"{url}_changelist"),
            "history_url": reverse(f"{url}_history", args=(obj.pk,)),
            **(extra_context or {}),
        }
        return no_store(render(request, self.object_history_form_template, context))


@checks.register(checks.Tags.admin)
def history_admins_are_read_only_and_masked(app_configs, **kwargs):
    """Every admin with simple-history pages must use HistoryAdmin: the library's own pages show
    personal fields unmasked and can revert a record past its service."""
    return [
        checks.Error(
            f"{type(model_admin).__name__} shows django-simple-history pages without "
            "fundportal.history_admin.HistoryAdmin",
            hint="Subclass HistoryAdmin instead of SimpleHistoryAdmin.", obj=model_admin, id="fundportal.E101",
        )
        for site in _admin_sites()
        for model_admin in site._registry.values()
        if isinstance(model_admin, SimpleHistoryAdmin) and not isinstance(model_admin, HistoryAdmin)
    ]


def _admin_sites():
    from django.contrib.admin.sites import all_sites

    return list(all_sites)
