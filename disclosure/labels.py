"""Published data in the reader's language. The published document keeps its labels in Chinese
(donor kinds, notes, eligibility categories); English pages translate them when they are shown.

Eligibility categories are rows (assistance.EligibilityCategory), editable, so their names are data
the source never mentions: the national categories a new installation starts with are marked here
for the catalogue, and have an English name of their own for when the catalogue has none yet. A
category renamed or added by the bureau is shown as it was published."""
from django.utils.translation import get_language, gettext, gettext_noop

# The categories of assistance/review/defaults.py (低收入人口 categories of the national guidance).
STANDARD_CATEGORIES = {
    gettext_noop("特困人员"): "Persons in extreme poverty",
    gettext_noop("低保对象"): "Minimum living allowance recipients",
    gettext_noop("低保边缘家庭"): "Near-minimum-allowance households",
    gettext_noop("支出型困难家庭"): "Households in hardship from medical costs",
    gettext_noop("防止返贫监测对象"): "Monitored against relapse into poverty",
}


def shown(value: str) -> str:
    """A published label as the reader's language shows it (the catalogue first)."""
    if not value:
        return value
    translated = gettext(value)
    if translated == value and get_language().startswith("en"):
        return STANDARD_CATEGORIES.get(value, value)
    return translated


ANONYMOUS = "匿名"  # what a statement publishes for a gift given anonymously (disclosure/content.py)


def donor_shown(donor: str) -> str:
    """A published donor in the reader's language: the anonymous gift's 匿名 is a label (English:
    Anonymous); any other donor is a name, shown as published — never looked up in the catalogue,
    where a donor's name could happen to be a word."""
    return shown(donor) if donor == ANONYMOUS else donor
