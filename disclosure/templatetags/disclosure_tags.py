"""Showing published data in the reader's language: labels that the catalogue knows (donor kinds,
eligibility categories) are translated at display time; the published document keeps Chinese."""
from django import template

from disclosure.labels import donor_shown
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
