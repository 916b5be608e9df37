"""Showing published data in the reader's language: labels that the catalogue knows (donor kinds,
eligibility categories) are translated at display time; the published document keeps Chinese."""
from django import template

from disclosure.labels import donor_shown, label_shown, resolution_shown
from disclosure.labels import shown as shown_label

register = template.Library()


@register.filter
def shown(value) -> str:
    return shown_label(value)


@register.filter
def shown_donor(value) -> str:
    return donor_shown(value)


@register.filter
def shown_title(statement) -> str:
    from disclosure.services import title_shown

    return title_shown(statement)


@register.filter
def label(value) -> str:
    """A word of the statement pages (disclosure/labels.py PUBLICITY_LABELS) in the reader's language."""
    return label_shown(value)


@register.filter
def shown_resolution(value) -> str:
    return resolution_shown(value)
