"""The scheme's computation: worked examples, and the properties it must always have (hypothesis):
never negative, never above what is left of the annual cap, never less for a larger cost,
deterministic, and never more than the eligible cost."""
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistance.schemes import Band, Rule, Terms, bands_problems, compute

D = Decimal
LOW_INCOME, OTHER = 1, None
TERMS = Terms(annual_cap=D("50000.00"), rounding="yuan", count_extra_costs=True, rules={
    LOW_INCOME: Rule(deductible=D("5000.00"), bands=(Band(D("0"), D("20000"), D("0.70")), Band(D("20000"), None, D("0.80")))),
    OTHER: Rule(deductible=D("10000.00"), bands=(Band(D("0"), None, D("0.50")),)),
})


def test_a_worked_example_band_by_band():
    result = compute(TERMS, category_id=LOW_INCOME, out_of_pocket=D("60000.00"))
    assert (result.eligible_cost, result.above_deductible) == (D("60000.00"), D("55000.00"))
    assert [(line.base, line.amount) for line in result.bands] == [(D("20000"), D("14000.00")),
                                                                  (D("35000"), D("28000.00"))]
    assert (result.computed, result.amount, result.capped) == (D("42000.00"), D("42000.00"), False)


def test_the_annual_cap_holds_across_batches_and_costs_are_not_paid_twice():
    first = compute(TERMS, category_id=LOW_INCOME, out_of_pocket=D("60000.00"))
    # The same year-to-date costs again: already granted, nothing more.
    assert compute(TERMS, category_id=LOW_INCOME, out_of_pocket=D("60000.00"),
                   already_paid=first.amount).amount == D("0.00")
    # More costs later in the year: 58,000 computed, held to the 50,000 cap, less the 42,000 granted.
    second = compute(TERMS, category_id=LOW_INCOME, out_of_pocket=D("80000.00"), already_paid=first.amount)
    assert (second.computed, second.entitlement, second.cap_left, second.amount, second.capped) == (
        D("58000.00"), D("50000.00"), D("8000.00"), D("8000.00"), True)
    assert first.amount + second.amount == TERMS.annual_cap


def test_other_assistance_is_deducted_and_extra_costs_counted_as_the_scheme_says():
    result = compute(TERMS, category_id=OTHER, out_of_pocket=D("30000"), other_assistance=D("8000"),
                     extra_costs=D("3000"))
    assert (result.eligible_cost, result.amount) == (D("25000"), D("7500.00"))
    without = Terms(annual_cap=TERMS.annual_cap, rounding="yuan", count_extra_costs=False, rules=TERMS.rules)
    assert compute(without, category_id=OTHER, out_of_pocket=D("30000"), other_assistance=D("8000"),
                   extra_costs=D("3000")).eligible_cost == D("22000")


def test_rounding_to_the_yuan_or_the_fen():
    fen = Terms(annual_cap=D("50000"), rounding="fen", count_extra_costs=True, rules=TERMS.rules)
    assert compute(fen, category_id=OTHER, out_of_pocket=D("10001.01")).amount == D("0.51")
    assert compute(TERMS, category_id=OTHER, out_of_pocket=D("10001.01")).amount == D("1.00")
    # A cap's remainder with fen is never exceeded by an amount rounded to the yuan.
    assert compute(TERMS, category_id=LOW_INCOME, out_of_pocket=D("99999"),
                   already_paid=D("49990.40")).amount == D("9.00")


def test_below_the_deductible_nothing_is_paid_and_a_missing_rule_is_an_error():
    assert compute(TERMS, category_id=LOW_INCOME, out_of_pocket=D("4999.99")).amount == D("0.00")
    with pytest.raises(ValueError, match="没有适用"):
        compute(Terms(D("1"), "yuan", True, {LOW_INCOME: TERMS.rules[LOW_INCOME]}), category_id=7,
                out_of_pocket=D("1"))
    with pytest.raises(ValueError):
        compute(TERMS, category_id=LOW_INCOME, out_of_pocket=D("-1"))


def test_bands_must_start_at_zero_follow_on_and_end_open():
    assert bands_problems([Band(D("0"), D("100"), D("0.7")), Band(D("100"), None, D("0.8"))]) == []
    assert bands_problems([Band(D("10"), D("100"), D("0.7")), Band(D("120"), D("200"), D("1.2"))]) == [
        "第一段应从 0 元开始", "第 1 段的上限应等于第 2 段的下限", "最后一段不应设上限", "第 2 段的救助比例应在 0 至 100% 之间"]


money = st.decimals(min_value=0, max_value=2_000_000, places=2, allow_nan=False, allow_infinity=False)
ratios = st.decimals(min_value=0, max_value=1, places=4)


@st.composite
def terms(draw):
    cuts = sorted(set(draw(st.lists(st.integers(1, 300_000), max_size=3))))
    lowers = [0, *cuts]
    bands = tuple(Band(D(lower), D(upper) if upper is not None else None, draw(ratios))
                  for lower, upper in zip(lowers, [*cuts, None]))
    rule = Rule(deductible=draw(money), bands=bands)
    return Terms(annual_cap=draw(money), rounding=draw(st.sampled_from(["yuan", "fen"])),
                 count_extra_costs=draw(st.booleans()), rules={None: rule})


@settings(max_examples=400, deadline=None)
@given(terms=terms(), cost=money, more=money, other=money, extra=money, paid=money)
def test_properties(terms, cost, more, other, extra, paid):
    result = compute(terms, category_id=None, out_of_pocket=cost, other_assistance=other, extra_costs=extra,
                     already_paid=paid)
    assert result.amount >= 0
    assert result.amount <= max(terms.annual_cap - paid, 0)  # never above what is left of the cap
    assert result.amount <= max(result.computed - paid, 0)  # costs already granted for are not paid again
    assert paid + result.amount <= max(terms.annual_cap, paid)
    assert result.amount <= result.eligible_cost + D("0.50")  # ratios ≤ 100 % (+ rounding to the yuan)
    assert result == compute(terms, category_id=None, out_of_pocket=cost, other_assistance=other,
                             extra_costs=extra, already_paid=paid)  # deterministic
    larger = compute(terms, category_id=None, out_of_pocket=cost + more, other_assistance=other, extra_costs=extra,
                     already_paid=paid)
    assert larger.amount >= result.amount  # monotone in cost
    assert result.amount == result.amount.quantize(D("0.01"))
