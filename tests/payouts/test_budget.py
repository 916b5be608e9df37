"""Fitting a batch to the budget: pro rata sums exactly to the budget, to the fen; in order
approves whole amounts until one does not fit."""
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from assistance.council.budget import in_order, pro_rata

fen = st.integers(min_value=1, max_value=10_000_000).map(lambda n: Decimal(n) / 100)
amounts = st.lists(fen, min_size=1, max_size=40).map(lambda xs: [(i, x) for i, x in enumerate(xs)])


@given(amounts, st.integers(min_value=0, max_value=400_000_000).map(lambda n: Decimal(n) / 100))
def test_pro_rata_sums_exactly_to_the_budget_and_never_above_an_amount(amounts, budget):
    shares = pro_rata(amounts, budget)
    total = sum(amount for _key, amount in amounts)
    assert sum(shares.values()) == min(total, budget)
    for key, amount in amounts:
        assert Decimal("0") <= shares[key] <= amount
        assert shares[key] == shares[key].quantize(Decimal("0.01"))
        # Each share is within one fen of its exact proportional value.
        exact = amount * min(budget / total, Decimal(1))
        assert abs(shares[key] - exact) < Decimal("0.01")
    assert pro_rata(amounts, budget) == shares  # deterministic


def test_pro_rata_gives_the_remainder_fen_to_the_largest_remainders_then_the_earlier():
    assert pro_rata([("a", Decimal("1.00")), ("b", Decimal("1.00")), ("c", Decimal("1.00"))], Decimal("2.00")) == {
        "a": Decimal("0.67"), "b": Decimal("0.67"), "c": Decimal("0.66")}


@given(amounts, st.integers(min_value=0, max_value=400_000_000).map(lambda n: Decimal(n) / 100))
def test_in_order_approves_whole_amounts_in_order_within_the_budget(amounts, budget):
    granted = in_order(amounts, budget)
    assert sum(granted.values()) <= budget
    stopped = False
    for key, amount in amounts:
        assert granted[key] in (amount, Decimal("0.00"))
        if granted[key] == 0:
            stopped = True
        assert not (stopped and granted[key])  # nobody after the first that did not fit
