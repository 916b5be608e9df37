"""Showing published data in the reader's language: labels that the catalogue knows (donor kinds,
eligibility categories) are translated at display time; the published document keeps Chinese."""
from django import template

from disclosure.labels import FUNNEL_HIDDEN_NOTE, FUNNEL_NOTE, donor_shown, label_shown, resolution_shown
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


@register.filter
def funnel_heading(table) -> str:
    """The funnel's heading: the year of the assistance and the year of the costs it worked on
    (disclosure/funnel.py FunnelTable; a year has no thousands comma)."""
    return label_shown("%(year)s年救助工作进度（%(cost_year)s年度医疗费用）") % {
        "year": int(table.year), "cost_year": int(table.cost_year)}


@register.filter
def people(count) -> str:
    """A count of the funnel: hidden (None) is "*"."""
    return "*" if count is None else f"{count:,}"


@register.simple_tag
def funnel_note() -> str:
    return label_shown(FUNNEL_NOTE)


@register.simple_tag
def funnel_hidden_note() -> str:
    return label_shown(FUNNEL_HIDDEN_NOTE)


@register.simple_tag
def funnel_source(statement) -> str:
    """Which published statement the overview's funnel is from."""
    from disclosure.services import title_shown

    return label_shown("据第%(sequence)s号公示《%(title)s》") % {"sequence": statement.sequence,
                                                            "title": title_shown(statement)}


@register.simple_tag
def sequence_label(sequence) -> str:
    """"第3号" in the reader's language (the annual report's page)."""
    return label_shown("第%(sequence)s号") % {"sequence": sequence}


@register.filter
def kind_shown(statement) -> str:
    """A statement's kind in the reader's language (the annual report's is new to the catalogue)."""
    return label_shown(str(statement.get_kind_display()))
