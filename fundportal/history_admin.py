"""The admin's history pages (django-simple-history), read-only and masked like the audit trail.

The "历史" button of every admin shows the audit history, never Django's own admin log (which
misses every change made through a service and names people by their login):
- the admin of every history-tracked model subclasses `HistoryAdmin`, whatever else it is built
  on; a system check (fundportal.E101) refuses to start a site where one does not;
- the admin of a model whose history is not kept says why on that page
  (fundportal.history.NOT_TRACKED, `history_not_kept_view`); a model with an admin that is
  neither tracked nor given a reason fails the checks too (fundportal.E102).
What HistoryAdmin changes:
- the history list shows each change as the audit trail does (labels, names, Beijing time, personal
  fields masked: fundportal.history.value_text);
- a version's page is a table of that version's values, masked the same way, never the change form
  with every field: nothing to revert, since history here is read-only (a POST is refused);
- a history URL naming no object this user may look at (a malformed id, a missing one, one outside
  their area, any one of a model their role may not view; a malformed or missing version) is a
  404 for every role, as the site's other pages are (fundportal.admin_utils.PortalAdminPolicy);
- neither page is kept by a browser or proxy (Cache-Control: no-store).
"""
from django.contrib.admin.utils import unquote
from django.core import checks
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from .history import (ACTIONS, NOT_TRACKED, RelatedNames, actor_display, is_baseline, is_tracked, record_display,
                      shows_nothing, version_values, visible_changes, when_text)
from .masking import masked_display
from .responses import no_store


def _object_or_404(model_admin, request, object_id):
    """The object a history URL names, or a 404 when this user may not look at it (for any reason)."""
    obj = model_admin.get_object(request, unquote(object_id))  # PortalAdminPolicy: a 404 itself
    if obj is None or not model_admin.has_view_or_change_permission(request, obj):
        raise Http404(_("没有找到该记录"))
    return obj


class MaskedHistoryContextHelper(HistoricalRecordContextHelper):
    """simple-history's formatter of a change, with the audit trail's display and masking rules."""

    def __init__(self, model, historical_record, *, related: RelatedNames):
        super().__init__(model, historical_record)
        self.related = related

    def context_for_delta_changes(self, delta):
        if is_baseline(delta.new_record):
            return []
        return [change._asdict() for change in visible_changes(
            self.model, delta, older=delta.old_record, newer=delta.new_record, related=self.related)]


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
        records = list(historical_records)
        # simple-history compares within the page: its oldest row is compared with the one before it here.
        if records and not hasattr(records[-1], "history_delta_changes") and records[-1].history_type == "~" \
                and (older := records[-1].prev_record) is not None:
            delta = records[-1].diff_against(older, foreign_keys_are_objs=False)
            helper = self.get_historical_record_context_helper(request, records[-1])
            records[-1].history_delta_changes = helper.context_for_delta_changes(delta)
        # A 修改 row with no visible change is not listed (as in the audit trail).
        records = [r for r in records if not (hasattr(r, "history_delta_changes")
                                              and shows_nothing(r, r.history_delta_changes))]
        if hasattr(historical_records, "object_list"):
            historical_records.object_list = records
        for record in records:
            record.history_when = when_text(record.history_date)
            record.history_action = ACTIONS.get(record.history_type, record.history_type)
            record.history_actor = actor_display(record)
            record.history_display = record_display(record)

    def revert_disabled(self, request, obj=None):
        return True

    def history_view_title(self, request, obj):
        return _("查看历史：%s") % masked_display(obj)

    def history_view(self, request, object_id, extra_context=None):
        _object_or_404(self, request, object_id)
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
        obj = _object_or_404(self, request, object_id)
        if not str(version_id).isdecimal():
            raise Http404(_("没有找到该记录"))
        record = (self.model.history.select_related("history_user")
                  .filter(**{opts.pk.attname: obj.pk, "history_id": int(version_id)}).first())
        if record is None:
            raise Http404(_("没有找到该记录"))
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


def history_not_kept_view(model_admin, request, object_id):
    """The "历史" page of a model whose history is not kept: why, never Django's admin log, which
    would look like an empty or partial history (fundportal.admin_utils.PortalAdminPolicy)."""
    obj = _object_or_404(model_admin, request, object_id)
    opts = model_admin.model._meta
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("历史：%s") % masked_display(obj), "opts": opts, "app_label": opts.app_label,
        "object": obj, "object_display": masked_display(obj), "module_name": opts.verbose_name_plural,
        "reason": NOT_TRACKED.get(opts.label_lower, ""),
    }
    request.current_app = model_admin.admin_site.name
    return no_store(render(request, "simple_history/history_not_kept.html", context))


@checks.register(checks.Tags.admin)
def history_admins_are_read_only_and_masked(app_configs, **kwargs):
    """Every admin of a history-tracked model must be a HistoryAdmin, whatever it is built on:
    Django's own history page shows its admin log (empty for every change made by a service), and
    simple-history's own pages show personal fields unmasked and can revert a record past its
    service. Every other admin's model must say why its history is not kept."""
    errors = []
    for site in _admin_sites():
        for model, model_admin in site._registry.items():
            label = model._meta.label_lower
            if (is_tracked(model) or isinstance(model_admin, SimpleHistoryAdmin)) \
                    and not isinstance(model_admin, HistoryAdmin):
                errors.append(checks.Error(
                    f"{type(model_admin).__name__} ({label}) does not show the audit history: its model's "
                    "history is kept, but the admin is not a fundportal.history_admin.HistoryAdmin",
                    hint="Add HistoryAdmin to the admin's bases.", obj=model_admin, id="fundportal.E101"))
            elif not is_tracked(model) and label not in NOT_TRACKED:
                errors.append(checks.Error(
                    f"{label} has an admin but its history is neither kept nor explained",
                    hint="Keep its history (simple_history HistoricalRecords) or say why not in "
                         "fundportal.history.NOT_TRACKED.", obj=model_admin, id="fundportal.E102"))
    return errors


def _admin_sites():
    from django.contrib.admin.sites import all_sites

    return list(all_sites)
