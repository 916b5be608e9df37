"""Reads of the shared core: the audit trail, assembled from django-simple-history's tables."""
import datetime as dt
import heapq
from dataclasses import dataclass

from django.db.models import Model
from simple_history.models import registered_models

from .masking import mask_bank_account, mask_phone, mask_resident_id

ACTIONS = {"+": "创建", "~": "修改", "-": "删除"}
# The audit trail is a list: personal values in it are masked like every other list.
MASKED_FIELDS = {"resident_id": mask_resident_id, "phone": mask_phone, "bank_account": mask_bank_account}


@dataclass(frozen=True)
class AuditRow:
    when: dt.datetime
    actor: str
    model: str
    object_id: str
    object_repr: str
    action: str
    reason: str
    changes: list[tuple[str, str, str]]


def audit_models() -> list[type[Model]]:
    return sorted(registered_models.values(), key=lambda m: m._meta.label)


def audit_model_by_label(label: str) -> type[Model] | None:
    return next((m for m in audit_models() if m._meta.label_lower == label), None)


def _history_queryset(model, *, date_from, date_to, actor):
    qs = model.history.select_related("history_user").order_by("-history_date", "-history_id")
    if date_from:
        qs = qs.filter(history_date__date__gte=date_from)
    if date_to:
        qs = qs.filter(history_date__date__lte=date_to)
    if actor:
        qs = qs.filter(history_user__username=actor)
    return qs


def _shown(field: str, value) -> str:
    mask = MASKED_FIELDS.get(field)
    return mask(str(value or "")) if mask else str(value)


def _row(model, record, *, with_changes: bool) -> AuditRow:
    changes = []
    if with_changes and record.history_type == "~" and (previous := record.prev_record) is not None:
        delta = record.diff_against(previous)
        changes = [
            (str(model._meta.get_field(c.field).verbose_name), _shown(c.field, c.old), _shown(c.field, c.new))
            for c in delta.changes
        ]
    return AuditRow(
        when=record.history_date,
        actor=record.history_user.username if record.history_user else "系统",
        model=str(model._meta.verbose_name), object_id=str(record.instance.pk),
        object_repr=str(record.instance), action=ACTIONS.get(record.history_type, record.history_type),
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
    rows = (_row(m, r, with_changes=with_changes) for *_key, m, r in merged)
    if limit:
        return [row for _, row in zip(range(limit), rows)]
    return rows


def audit_trail_count(*, model: type[Model] | None = None, date_from: dt.date | None = None,
                      date_to: dt.date | None = None, actor: str = "") -> int:
    return sum(
        _history_queryset(m, date_from=date_from, date_to=date_to, actor=actor).count()
        for m in ([model] if model else audit_models())
    )
