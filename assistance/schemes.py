"""How much a family gets: the assistance scheme's computation, a pure function with its breakdown.

eligible cost = the MSB's out-of-pocket − what other assistance already covered (+ documented
extra costs, if the scheme counts them); minus the category's deductible (起付标准); the rest is paid
band by band at each band's ratio (救助比例); the sum is rounded (to the yuan or the fen) and held
to the annual cap per person (年度救助限额). That is what the year's costs entitle the person to;
what this year's earlier decisions already granted is deducted, so costs counted in an earlier
batch are not paid twice and the cap holds across all batches of the year.

Deterministic, never negative, never above the cap, and never less for a larger cost (property
tests hold it to that). Amounts are Decimal throughout.
"""
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

ZERO = Decimal("0.00")
FEN = Decimal("0.01")
YUAN = Decimal("1")


@dataclass(frozen=True)
class Band:
    lower: Decimal  # of the cost above the deductible
    upper: Decimal | None  # None: no upper bound
    ratio: Decimal  # 0 … 1


@dataclass(frozen=True)
class Rule:
    deductible: Decimal
    bands: tuple[Band, ...]


@dataclass(frozen=True)
class Terms:
    """A scheme's terms, as plain values (the models turn into these)."""

    annual_cap: Decimal
    rounding: str  # "yuan" or "fen"
    count_extra_costs: bool
    rules: dict  # category id (None: every other category) → Rule

    def rule_for(self, category_id: int | None) -> Rule:
        rule = self.rules.get(category_id) or self.rules.get(None)
        if rule is None:
            raise ValueError("方案没有适用于该认定类别的规则")
        return rule


@dataclass(frozen=True)
class BandLine:
    lower: Decimal
    upper: Decimal | None
    ratio: Decimal
    base: Decimal  # the part of the cost in this band
    amount: Decimal  # base × ratio, exact


@dataclass(frozen=True)
class Breakdown:
    out_of_pocket: Decimal
    other_assistance: Decimal
    extra_costs: Decimal
    eligible_cost: Decimal
    deductible: Decimal
    above_deductible: Decimal
    bands: tuple[BandLine, ...]
    computed: Decimal  # the bands' sum, rounded
    annual_cap: Decimal
    entitlement: Decimal  # min(computed, cap): what the year's costs entitle to
    already_paid: Decimal  # granted by this year's earlier decisions
    cap_left: Decimal
    amount: Decimal  # what is granted now

    @property
    def capped(self) -> bool:
        return self.entitlement < self.computed

    def as_dict(self) -> dict:
        """For storing with a decision (JSON): every figure as a string, exactly."""
        return {
            "out_of_pocket": str(self.out_of_pocket), "other_assistance": str(self.other_assistance),
            "extra_costs": str(self.extra_costs), "eligible_cost": str(self.eligible_cost),
            "deductible": str(self.deductible), "above_deductible": str(self.above_deductible),
            "bands": [{"lower": str(b.lower), "upper": None if b.upper is None else str(b.upper),
                       "ratio": str(b.ratio), "base": str(b.base), "amount": str(b.amount)} for b in self.bands],
            "computed": str(self.computed), "annual_cap": str(self.annual_cap), "entitlement": str(self.entitlement),
            "already_paid": str(self.already_paid), "cap_left": str(self.cap_left), "amount": str(self.amount),
        }


def compute(terms: Terms, *, category_id: int | None, out_of_pocket: Decimal, other_assistance: Decimal = ZERO,
            extra_costs: Decimal = ZERO, already_paid: Decimal = ZERO) -> Breakdown:
    """The amount for one family and its breakdown."""
    for name, value in (("out_of_pocket", out_of_pocket), ("other_assistance", other_assistance),
                        ("extra_costs", extra_costs), ("already_paid", already_paid)):
        if not isinstance(value, Decimal) or value < 0:
            raise ValueError(f"{name} must be a non-negative Decimal")
    rule = terms.rule_for(category_id)
    counted_extra = extra_costs if terms.count_extra_costs else ZERO
    eligible = max(out_of_pocket - other_assistance, ZERO) + counted_extra
    above = max(eligible - rule.deductible, ZERO)
    lines = []
    for band in rule.bands:
        top = above if band.upper is None else min(above, band.upper)
        base = max(top - band.lower, ZERO)
        lines.append(BandLine(band.lower, band.upper, band.ratio, base, base * band.ratio))
    unit = YUAN if terms.rounding == "yuan" else FEN
    computed = sum((line.amount for line in lines), start=ZERO).quantize(unit, rounding=ROUND_HALF_UP)
    entitlement = min(computed, terms.annual_cap)
    # Rounded down, so a rounded amount never goes past the entitlement (nor the cap).
    amount = max(entitlement - already_paid, ZERO).quantize(unit, rounding=ROUND_DOWN).quantize(FEN)
    return Breakdown(out_of_pocket=out_of_pocket, other_assistance=other_assistance, extra_costs=counted_extra,
                     eligible_cost=eligible, deductible=rule.deductible, above_deductible=above, bands=tuple(lines),
                     computed=computed.quantize(FEN), annual_cap=terms.annual_cap, entitlement=entitlement.quantize(FEN),
                     already_paid=already_paid, cap_left=max(terms.annual_cap - already_paid, ZERO), amount=amount)


def bands_problems(bands: list[Band]) -> list[str]:
    """What is wrong with a rule's bands, in Chinese: they must start at 0, follow each other
    without gaps or overlaps, end open, and pay between 0 % and 100 %."""
    problems = []
    if not bands:
        return ["至少需要一个分段"]
    if bands[0].lower != 0:
        problems.append("第一段应从 0 元开始")
    for number, (band, following) in enumerate(zip(bands, bands[1:]), start=1):
        if band.upper is None or band.upper != following.lower:
            problems.append(f"第 {number} 段的上限应等于第 {number + 1} 段的下限")
    if bands[-1].upper is not None:
        problems.append("最后一段不应设上限")
    for number, band in enumerate(bands, start=1):
        if not ZERO <= band.ratio <= 1:
            problems.append(f"第 {number} 段的救助比例应在 0 至 100% 之间")
        if band.upper is not None and band.upper <= band.lower:
            problems.append(f"第 {number} 段的上限应大于下限")
    return problems
