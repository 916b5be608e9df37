"""The public scheme page (/disclosure/scheme/, and its API /api/public/scheme/): the assistance
scheme as the council approved it — deductibles, ratios by category, the annual cap, the rounding,
how an amount is computed with a worked example — and how to apply (who may, the documents, where,
the dates, the enquiry phone). Everything comes from the approved record (assistance.Scheme, never
edited once approved: assistance/council/schemes.py); the worked example is the scheme's own
computation (assistance/schemes.py compute on Scheme.terms()), never figures typed into a page.

Which scheme is in force: the latest approved version for the current cost year (this calendar
year's assistance works on last year's costs: disclosure/funnel.py COST_YEAR_LAG); failing that,
the latest approved version of an earlier cost year (the page says so); failing that, the latest
approved version of any year. Drafts are never shown. Every other approved version has a page of
its own, listed under the one in force.
"""
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from assistance.models import Resolution, Scheme
from assistance.schemes import Breakdown, compute

from .funnel import COST_YEAR_LAG

# The worked example: a family whose out-of-pocket costs for the year were 80,000 yuan, above the
# 50,000 the screening looks for, so that a deductible and more than one band come into play.
EXAMPLE_OUT_OF_POCKET = Decimal("80000.00")
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class RuleShown:
    category: str  # the category's name as data; "" for the rule of every other category
    deductible: Decimal
    bands: tuple  # assistance.schemes.Band
    example: Breakdown  # the example cost under this rule


@dataclass
class SchemeShown:
    scheme: Scheme
    resolution: Resolution | None  # the signed resolution that approved it
    rules: list[RuleShown]
    documents: list[str]
    in_force: Scheme | None  # the version in force (this one, or another)
    cost_year_now: int
    versions: list[Scheme] = field(default_factory=list)  # every approved version, newest first

    @property
    def example(self) -> RuleShown:
        """The rule the worked example is shown step by step for: the first category's."""
        return self.rules[0]

    @property
    def is_in_force(self) -> bool:
        return self.in_force is not None and self.in_force.pk == self.scheme.pk

    @property
    def is_earlier_year(self) -> bool:
        """The scheme in force is for an earlier cost year: this year's is not approved yet."""
        return self.scheme.year < self.cost_year_now


def schemes_approved():
    return Scheme.objects.filter(approved_at__isnull=False).order_by("-year", "-version")


def cost_year_now(today: dt.date | None = None) -> int:
    return (today or timezone.localdate()).year - COST_YEAR_LAG


def scheme_in_force(today: dt.date | None = None) -> Scheme | None:
    """The latest approved version for the current cost year, or the latest before it, or any."""
    approved = schemes_approved()
    return approved.filter(year__lte=cost_year_now(today)).first() or approved.first()


def scheme_approved(year: int, version: int) -> Scheme | None:
    return schemes_approved().filter(year=year, version=version).first()


def _rules(scheme: Scheme) -> list[RuleShown]:
    terms = scheme.terms()
    rules = [RuleShown(category=rule.category.name if rule.category else "", deductible=rule.deductible,
                       bands=rule.band_list(),
                       example=compute(terms, category_id=rule.category_id, out_of_pocket=EXAMPLE_OUT_OF_POCKET))
             for rule in scheme.rules.select_related("category")]
    # The categories in their order, the rule of every other category last.
    return sorted(rules, key=lambda rule: rule.category == "")


def scheme_shown(scheme: Scheme, *, today: dt.date | None = None) -> SchemeShown:
    resolution = (Resolution.objects.filter(scheme=scheme, kind=Resolution.Kind.SCHEME, signed_at__isnull=False)
                  .order_by("signed_at").first())
    return SchemeShown(scheme=scheme, resolution=resolution, rules=_rules(scheme),
                       documents=[line for line in scheme.documents.splitlines() if line.strip()],
                       in_force=scheme_in_force(today), cost_year_now=cost_year_now(today),
                       versions=list(schemes_approved()))


def _amount(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def scheme_document(shown: SchemeShown) -> dict:
    """The scheme as the public API answers it (every amount a string with two places)."""
    scheme = shown.scheme
    example = shown.example
    return {
        "year": scheme.year, "version": scheme.version, "name": scheme.name,
        "approved_at": scheme.approved_at.isoformat(),
        "resolution": str(shown.resolution.number) if shown.resolution else None,
        "in_force": shown.is_in_force,
        "annual_cap": _amount(scheme.annual_cap), "rounding": scheme.rounding,
        "count_extra_costs": scheme.count_extra_costs, "notes": scheme.notes,
        "rules": [{"category": rule.category or None, "deductible": _amount(rule.deductible),
                   "bands": [{"lower": _amount(band.lower), "upper": _amount(band.upper), "ratio": f"{band.ratio}"}
                             for band in rule.bands]} for rule in shown.rules],
        "example": {"category": example.category or None, **example.example.as_dict()},
        "how_to_apply": {"who_may_apply": scheme.who_may_apply, "documents": shown.documents,
                         "where_to_apply": scheme.where_to_apply,
                         "apply_from": scheme.apply_from.isoformat() if scheme.apply_from else None,
                         "apply_until": scheme.apply_until.isoformat() if scheme.apply_until else None,
                         "enquiry_phone": scheme.enquiry_phone},
        "versions": [{"year": other.year, "version": other.version, "name": other.name,
                      "approved_at": other.approved_at.isoformat()} for other in shown.versions],
    }
