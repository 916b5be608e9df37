"""How history shows a value: one rule for the audit trail (page and CSV) and the admin's history pages.

A stored value becomes what a person reads: a choice by its label, a foreign key by the related
object's name (a user by their name, a person by their masked name), a time in Beijing time to the
second, nothing for None, 是/否 for yes/no, and a personal field masked (fundportal.masking).
"""
import datetime as dt
from typing import NamedTuple

from django.db import models
from django.utils import timezone

from .masking import mask_field, masked_display

ACTIONS = {"+": "创建", "~": "修改", "-": "删除"}
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def when_text(moment: dt.datetime | None) -> str:
    """A moment as Beijing (the site's) time to the second: 2024-03-05 14:07:09."""
    if moment is None:
        return ""
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return moment.strftime(TIME_FORMAT)


class RelatedNames:
    """Names of related objects by primary key, fetched once each: a CSV of a million rows asks the
    database once per distinct related object, not once per row. Bounded, so it never grows without end."""

    LIMIT = 20_000

    def __init__(self):
        self._names: dict[tuple[str, object], str] = {}

    def name(self, model: type[models.Model], pk) -> str:
        key = (model._meta.label_lower, pk)
        if key not in self._names:
            if len(self._names) >= self.LIMIT:
                self._names.clear()
            obj = model._base_manager.filter(pk=pk).first()
            self._names[key] = masked_display(obj) if obj is not None else f"#{pk}"
        return self._names[key]


def value_text(model: type[models.Model], field_name: str, value, *, instance=None,
               related: RelatedNames | None = None) -> str:
    """One stored value of `model.field_name` as history shows it (masked when the field is personal)."""
    field = model._meta.get_field(field_name)
    if value is None or (value == "" and not field.is_relation):
        return ""
    if field.is_relation and (field.many_to_one or field.one_to_one):
        if isinstance(value, models.Model):
            text = masked_display(value)
        else:
            text = (related or RelatedNames()).name(field.related_model, value)
    elif field.flatchoices:
        text = str(dict(field.flatchoices).get(value, value))
    elif isinstance(value, bool):
        text = "是" if value else "否"
    elif isinstance(value, dt.datetime):
        text = when_text(value)
    elif isinstance(value, dt.date):
        text = value.isoformat()
    else:
        text = str(value)
    return mask_field(model, field_name, text, instance)


class Change(NamedTuple):
    field: str
    old: str
    new: str


def changes_between(model: type[models.Model], older, newer, *, related: RelatedNames | None = None) -> list[Change]:
    """What changed from one historical record of `model` to a later one, each value as history shows it."""
    related = related or RelatedNames()
    delta = newer.diff_against(older, foreign_keys_are_objs=False)
    return [
        Change(
            field=str(model._meta.get_field(c.field).verbose_name),
            old=value_text(model, c.field, c.old, instance=older, related=related),
            new=value_text(model, c.field, c.new, instance=newer, related=related),
        )
        for c in delta.changes
    ]


def tracked_fields(model: type[models.Model]) -> list[models.Field]:
    """The fields of `model` its history keeps, in the model's order."""
    kept = {f.name for f in model.history.model._meta.fields}
    return [f for f in model._meta.concrete_fields if f.name in kept and not f.primary_key]


def version_values(model: type[models.Model], record, *, related: RelatedNames | None = None) -> list[tuple[str, str]]:
    """Every kept field of one historical record, as (label, value) history shows."""
    related = related or RelatedNames()
    return [
        (str(field.verbose_name),
         value_text(model, field.name, getattr(record, field.attname), instance=record, related=related))
        for field in tracked_fields(model)
    ]


def record_display(record) -> str:
    """The object a historical record is about, as history names it."""
    return masked_display(record.instance)


def actor_display(record) -> str:
    return str(record.history_user) if record.history_user_id else "系统"
