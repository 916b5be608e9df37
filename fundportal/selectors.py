"""Reads of the shared core: the audit trail, assembled from django-simple-history's tables."""
import datetime as dt
import heapq
from dataclasses import dataclass

from django.db.models import Model, Q

from .history import (ACTIONS, Change, RelatedNames, actor_display, changes_between, record_display, shows_nothing,
                      tracked_models, when_text)


@dataclass(frozen=True)
class AuditRow:
    when: dt.datetime
    actor: str
    model: str
    object_id: str
    object_repr: str
    action: str
    reason: str
    changes: list[Change]

    @property
    def when_text(self) -> str:
        return when_text(self.when)


def audit_models() -> list[type[Model]]:
    return tracked_models()


def audit_model_by_label(label: str) -> type[Model] | None:
    return next((m for m in audit_models() if m._meta.label_lower == label), None)


def _history_queryset(model, *, date_from, date_to, actor):
    qs = model.history.select_related("history_user").order_by("-history_date", "-history_id")
    if date_from:
        qs = qs.filter(history_date__date__gte=date_from)
    if date_to:
        qs = qs.filter(history_date__date__lte=date_to)
    if actor:
        # By login or by name: people know each other by name (林科长), the system by login.
        qs = qs.filter(Q(history_user__username=actor) | Q(history_user__first_name=actor))
    return qs


def _row(model, record, *, with_changes: bool, related: RelatedNames) -> AuditRow | None:
    changes = []
    if with_changes and record.history_type == "~" and (previous := record.prev_record) is not None:
        changes = changes_between(model, previous, record, related=related)
        if shows_nothing(record, changes):
            return None  # a save that changed nothing history keeps: nothing to audit
    return AuditRow(
        when=record.history_date, actor=actor_display(record),
        model=str(model._meta.verbose_name), object_id=str(record.instance.pk),
        object_repr=record_display(record), action=ACTIONS.get(record.history_type, record.history_type),
        reason=record.history_change_reason or "", changes=changes,
    )


def audit_trail(*, model: type[Model] | None = None, date_from: dt.date | None = None,
                date_to: dt.date | None = None, actor: str = "", limit: int | None = 100,
                with_changes: bool = True):
    """Newest first, across every audited model (or one). With limit=None, streams everything."""
    models = [model] if model else audit_models()
    def keyed(m):
        qs = _history_queryset(m, date_from=date_from, date_to=date_to, actor=actor)
        records = qs[:limit] if limit else qs.iterator(chunk_size=2000)
        return ((-r.history_date.timestamp(), m._meta.label, -r.history_id, m, r) for r in records)

    merged = heapq.merge(*(keyed(m) for m in models), key=lambda item: item[:3])
    related = RelatedNames()
    rows = (row for *_key, m, r in merged if (row := _row(m, r, with_changes=with_changes, related=related)))
    if limit:
        return [row for _, row in zip(range(limit), rows)]
    return rows


def audit_trail_count(*, model: type[Model] | None = None, date_from: dt.date | None = None,
                      date_to: dt.date | None = None, actor: str = "") -> int:
    return sum(
        _history_queryset(m, date_from=date_from, date_to=date_to, actor=actor).count()
        for m in ([model] if model else audit_models())
    )
