"""Fraud and error checks on payouts, run before a batch is exported and again before a payment is
confirmed (DESIGN.md): the beneficiary is alive; the account is not shared with an unrelated
beneficiary or a staff member; no invoice was already reimbursed through the MSB.

A check raises a FraudFlag once per payout and kind. Shared and staff accounts can be cleared by
someone with the override permission, with a reason; a deceased beneficiary or a reused invoice
cannot: that payout is cancelled (and the decision amended if need be).
"""
from django.contrib.auth import get_user_model
from django.db.models import Q

from fundportal.text import digits_only

from ..applications.models import Application
from ..intake.models import SettlementRecord
from .models import FraudFlag, Payout

Kind = FraudFlag.Kind


def _related_ids(application: Application) -> set[str]:
    """The resident IDs the family declared (the applicant included)."""
    return {application.person.resident_id,
            *(m.resident_id.upper() for m in application.members.all() if m.resident_id)}


def _sharing_unrelated(payout: Payout) -> list[str]:
    """Other beneficiaries paid (or to be paid) into the same account who are not family."""
    application = payout.application
    others = (Application.objects.filter(Q(account_number=payout.account_number) |
                                         Q(payouts__account_number=payout.account_number))
              .exclude(person_id=application.person_id).select_related("person").prefetch_related("members")
              .distinct())
    family = _related_ids(application)
    return [other.number for other in others
            if other.person.resident_id not in family and application.person.resident_id not in _related_ids(other)]


def staff_sharing(account_number: str) -> list:
    """Staff whose own registered account is this one (accounts compared as digits only)."""
    digits = digits_only(account_number)
    return list(get_user_model().objects.filter(bank_account=digits).exclude(bank_account="")) if digits else []


def checks_for(payout: Payout) -> dict[str, str]:
    """Kind → detail for every check the payout fails (nothing written)."""
    application = payout.application
    found = {}
    if application.person.is_deceased:
        died = f"（{application.person.died_on:%Y-%m-%d}）" if application.person.died_on else ""
        found[Kind.DECEASED] = f"医保登记显示受助人已死亡{died}"
    shared = _sharing_unrelated(payout)
    if shared:
        found[Kind.SHARED_ACCOUNT] = f"同一账号还用于申请 {'、'.join(sorted(shared)[:5])}，申请人未申报为家庭成员"
    staff = staff_sharing(payout.account_number)
    if staff:
        found[Kind.STAFF_ACCOUNT] = f"账号与工作人员 {'、'.join(str(u) for u in staff[:3])} 登记的本人账号相同"
    invoices = {cost.invoice_number.upper() for cost in application.extra_costs.all()}
    # The MSB's numbers are stored as they came: look up each invoice as typed and in lower case
    # (an exact match keeps the settlement index in use on a table of millions of rows).
    candidates = invoices | {number.lower() for number in invoices}
    reused = sorted({number.upper() for number in SettlementRecord.objects.filter(settlement_no__in=candidates)
                     .values_list("settlement_no", flat=True)})
    if reused:
        found[Kind.REUSED_INVOICE] = f"发票号码 {'、'.join(reused[:5])} 已作为医保结算单据报销，不能重复计算"
    return found


def flags_raise(payouts: list[Payout]) -> list[FraudFlag]:
    """Run the checks and record each finding not already flagged; return the payouts' open flags.

    An override clears what it saw: the same finding later stays cleared, a different one (a new
    beneficiary on the shared account, say) is a new, open flag.
    """
    for payout in payouts:
        for kind, detail in checks_for(payout).items():
            detail = detail[:300]
            seen = FraudFlag.objects.filter(payout=payout, kind=kind).order_by("-id").first()
            if seen is None or (not seen.is_open and seen.detail != detail):
                FraudFlag.objects.create(payout=payout, kind=kind, detail=detail)
    return list(FraudFlag.objects.filter(payout__in=payouts, overridden_by__isnull=True)
                .select_related("payout__application").order_by("payout_id", "id"))
