"""Writing assistance schemes: drafts, new versions, and the amount for an application (the
computation itself, with no database, is assistance/schemes.py).

A scheme is drafted by the council's secretary and approved by a council resolution (which sets
approved_at); from then on it is never edited — scheme_update refuses, a change is a new version.
How to apply (who may, the documents, where, the dates, the enquiry phone: GUIDE_FIELDS) is part of
the scheme: drafted and approved with it, copied into a new version, published on the public scheme
page as approved, so it is never typed twice nor changed after approval.
"""
import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from simple_history.utils import bulk_create_with_history

from fundportal.audit import records_actor

from ..applications.models import Application
from ..schemes import Band, Breakdown, bands_problems, compute
from .models import Scheme, SchemeRule

GUIDE_FIELDS = ("who_may_apply", "documents", "where_to_apply", "apply_from", "apply_until", "enquiry_phone")
SCHEME_FIELDS = ("name", "annual_cap", "rounding", "count_extra_costs", "notes", *GUIDE_FIELDS)


def _require(user) -> None:
    if not user.has_perm("assistance.add_scheme"):
        raise PermissionDenied("您没有制定救助方案的权限")


def _guide_cleaned(guide: dict) -> dict:
    """How to apply, tidied: texts stripped, the documents one per line with no blank lines; the
    dates in order."""
    cleaned = {}
    for field, value in guide.items():
        if field not in GUIDE_FIELDS:
            raise ValueError(f"{field} is not a how-to-apply field")
        if field == "documents":
            value = "\n".join(line.strip() for line in (value or "").splitlines() if line.strip())
        elif field in ("apply_from", "apply_until"):
            value = value or None
        else:
            value = (value or "").strip()
        cleaned[field] = value
    return cleaned


def _guide_dates_checked(scheme: Scheme) -> None:
    start, end = scheme.apply_from, scheme.apply_until
    if isinstance(start, dt.date) and isinstance(end, dt.date) and end < start:
        raise ValidationError({"apply_until": "受理截止日期不能早于受理开始日期"})


def _rules_checked(rules: list[dict]) -> list[dict]:
    """Each rule: category (or None), deductible, bands [(lower, upper, ratio)] — checked, in JSON form."""
    problems, seen, checked = [], set(), []
    for rule in rules:
        category = rule.get("category")
        label = str(category) if category else "其他类别"
        if (category.pk if category else None) in seen:
            problems.append(f"{label}：同一类别只能有一条规则")
            continue
        seen.add(category.pk if category else None)
        deductible = rule.get("deductible") or Decimal("0")
        bands = [Band(Decimal(lower), None if upper is None else Decimal(upper), Decimal(ratio))
                 for lower, upper, ratio in rule.get("bands", [])]
        if deductible < 0:
            problems.append(f"{label}：起付标准不能为负数")
        problems += [f"{label}：{problem}" for problem in bands_problems(bands)]
        checked.append({"category": category, "deductible": deductible, "bands": [
            {"lower": str(band.lower), "upper": None if band.upper is None else str(band.upper),
             "ratio": str(band.ratio)} for band in bands]})
    if None not in seen:
        problems.append("须有一条不指定类别的规则（适用于其他所有类别）")
    if problems:
        raise ValidationError({"rules": problems})
    return checked


@records_actor
@transaction.atomic
def scheme_create(*, acting_user, year: int, name: str, annual_cap: Decimal, rules: list[dict],
                  rounding: str = Scheme.Rounding.YUAN, count_extra_costs: bool = True, notes: str = "",
                  **guide) -> Scheme:
    """A new draft, the year's next version; `guide`: how to apply (GUIDE_FIELDS)."""
    _require(acting_user)
    checked = _rules_checked(rules)
    if annual_cap is None or annual_cap <= 0:
        raise ValidationError({"annual_cap": "年度救助限额应大于 0"})
    # Locks the year's versions so two drafts started at once get different numbers.
    last = Scheme.objects.select_for_update().filter(year=year).aggregate(last=Max("version"))["last"] or 0
    scheme = Scheme(year=year, version=last + 1, name=name.strip(), annual_cap=annual_cap, rounding=rounding,
                    count_extra_costs=count_extra_costs, notes=notes.strip(), created_by=acting_user,
                    **_guide_cleaned(guide))
    scheme.full_clean(exclude=["created_by"])
    _guide_dates_checked(scheme)
    scheme.save()
    bulk_create_with_history([SchemeRule(scheme=scheme, **rule) for rule in checked], SchemeRule,
                             default_user=acting_user)
    return scheme


@records_actor
@transaction.atomic
def scheme_update(*, scheme: Scheme, acting_user, rules: list[dict] | None = None, **changes) -> Scheme:
    """Change a draft. An approved scheme is never changed: make a new version instead."""
    _require(acting_user)
    scheme = Scheme.objects.select_for_update().get(pk=scheme.pk)
    if scheme.is_approved:
        raise ValidationError("该方案已经理事会批准，不能修改：如需调整，请新建版本")
    pending = scheme.resolutions.filter(kind="scheme", signed_at__isnull=True).first()
    if pending is not None:
        # The council is looking at this version: what it signs must be what it saw.
        raise ValidationError(f"该方案已提交理事会审议（{pending.number}），不能修改：如需调整，请先删除该决议草案")
    for field in changes:
        if field not in SCHEME_FIELDS:
            raise ValueError(f"{field} is not a scheme field one may change")
    guide = _guide_cleaned({field: value for field, value in changes.items() if field in GUIDE_FIELDS})
    for field, value in {**changes, **guide}.items():
        setattr(scheme, field, value)
    scheme.full_clean(exclude=["created_by"])
    _guide_dates_checked(scheme)
    scheme._change_reason = "修改方案草稿"
    scheme.save()
    if rules is not None:
        checked = _rules_checked(rules)
        scheme.rules.all().delete()
        bulk_create_with_history([SchemeRule(scheme=scheme, **rule) for rule in checked], SchemeRule,
                                 default_user=acting_user, default_change_reason="修改方案草稿")
    return scheme


@records_actor
@transaction.atomic
def scheme_new_version(*, scheme: Scheme, acting_user) -> Scheme:
    """A draft copy of a scheme (approved or not): the way to change one that is in use."""
    rules = [{"category": rule.category, "deductible": rule.deductible,
              "bands": [(band["lower"], band["upper"], band["ratio"]) for band in rule.bands]}
             for rule in scheme.rules.select_related("category")]
    return scheme_create(acting_user=acting_user, year=scheme.year, name=scheme.name, annual_cap=scheme.annual_cap,
                         rules=rules, rounding=scheme.rounding, count_extra_costs=scheme.count_extra_costs,
                         notes=scheme.notes, **{field: getattr(scheme, field) for field in GUIDE_FIELDS})


def application_compute(*, scheme: Scheme, application: Application, already_paid: Decimal = Decimal("0.00"),
                        other_assistance: Decimal = Decimal("0.00")) -> Breakdown:
    """The amount the scheme gives this application, with its breakdown (for the council)."""
    case = application.review_case
    if case is None or case.category_id is None:
        raise ValidationError("申请人尚未被认定为低收入家庭，不能测算救助金额")
    if scheme.year != application.year:
        raise ValidationError(f"方案适用于 {scheme.year} 年的费用，申请为 {application.year} 年")
    return compute(scheme.terms(), category_id=case.category_id, out_of_pocket=application.insured_out_of_pocket,
                   other_assistance=other_assistance, extra_costs=application.extra_costs_total,
                   already_paid=already_paid)
