"""Reads for the council and the payouts: what is decided, granted, held back and available.

An application's decision is its item in the most recently signed resolution that lists it (an
amending resolution's item replaces the amended one's). "Held" is what signed decisions approved
and the bank has not yet paid: the fund's balance minus that is what a new batch may use.
"""
import math
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Exists, OuterRef, QuerySet, Sum

from fundportal.money import to_money
from fundportal.services import fund_account_main

from ..payouts.models import Payout
from .models import CouncilMember, Meeting, QuorumRule, ResolutionItem

ZERO = Decimal("0.00")


def items_in_force() -> QuerySet[ResolutionItem]:
    """Items of signed resolutions that no later signed resolution replaced."""
    later = ResolutionItem.objects.filter(application=OuterRef("application"),
                                          resolution__signed_at__gt=OuterRef("resolution__signed_at"))
    return ResolutionItem.objects.filter(resolution__signed_at__isnull=False).exclude(Exists(later))


def granted_this_year(*, person_id: int, year: int, excluding_application_id: int | None = None) -> Decimal:
    """What this year's decisions in force granted the person (the annual cap counts it all)."""
    items = items_in_force().filter(decision=ResolutionItem.Decision.APPROVE, application__person_id=person_id,
                                    application__year=year)
    if excluding_application_id is not None:
        items = items.exclude(application_id=excluding_application_id)
    return to_money(items.aggregate(total=Sum("amount"))["total"] or ZERO)  # SQLite's sums have long tails


def held_for_approved() -> Decimal:
    """Approved by decisions in force and not yet paid out (returned money is held again). An item
    whose payment an upheld objection stopped (公示, read through the relation's name: that stage
    comes after this one) holds nothing: it will not be paid."""
    stopped = ResolutionItem.objects.filter(publicity_entry__objections__state="upheld").values("pk")
    approved = items_in_force().filter(decision=ResolutionItem.Decision.APPROVE).exclude(pk__in=stopped)
    total = approved.aggregate(total=Sum("amount"))["total"] or ZERO
    paid = (Payout.objects.filter(state=Payout.State.PAID, item__in=approved)
            .aggregate(total=Sum("amount"))["total"] or ZERO)
    return to_money(total - paid)


@dataclass(frozen=True)
class Budget:
    balance: Decimal
    held: Decimal

    @property
    def available(self) -> Decimal:
        return max(self.balance - self.held, ZERO)


def budget_now() -> Budget:
    return Budget(balance=fund_account_main().balance, held=held_for_approved().quantize(ZERO))


@dataclass(frozen=True)
class Quorum:
    present: int
    members: int
    required: int
    rule: str

    @property
    def met(self) -> bool:
        return self.present >= self.required

    def __str__(self) -> str:
        verdict = "符合" if self.met else "不足"
        return f"成员单位 {self.members} 家，出席 {self.present} 家，须 {self.required} 家（{self.rule}）：{verdict}"


def quorum_for(meeting: Meeting) -> Quorum:
    rule = QuorumRule.objects.first() or QuorumRule()
    members = CouncilMember.objects.filter(is_active=True).count()
    present = meeting.attendance.filter(member__is_active=True).count()
    needed = rule.share * members
    required = math.floor(needed) + 1 if rule.strictly_more else math.ceil(needed)
    return Quorum(present=present, members=members, required=max(required, 1), rule=str(rule))
