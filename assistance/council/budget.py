"""Fitting a batch to the fund's available balance, as a resolution says: pure functions.

Pro rata: every amount is scaled by budget / total, to the fen, by the largest-remainder method
in whole fen (integer arithmetic, no rounding drift): the amounts then add up to the budget
exactly, none goes above what was computed, and ties go to the earlier key — deterministic.
In order: amounts are approved whole, in the stated order, until one no longer fits; it and
everything after it wait for a later batch (nobody is skipped for a smaller amount behind them).
"""
from collections.abc import Hashable
from decimal import Decimal

FEN = Decimal("0.01")


def _fen(amount: Decimal) -> int:
    return int(amount / FEN)


def pro_rata(amounts: list[tuple[Hashable, Decimal]], budget: Decimal) -> dict[Hashable, Decimal]:
    """Each key's share of `budget` (≥ 0); unchanged when the amounts already fit."""
    total = sum(_fen(amount) for _key, amount in amounts)
    cap = _fen(max(budget, Decimal(0)))
    if total <= cap:
        return dict(amounts)
    shares, remainders = {}, []
    for position, (key, amount) in enumerate(amounts):
        whole, remainder = divmod(_fen(amount) * cap, total)
        shares[key] = whole
        remainders.append((-remainder, position, key))
    left = cap - sum(shares.values())
    for _remainder, _position, key in sorted(remainders)[:left]:
        shares[key] += 1
    return {key: Decimal(share) * FEN for key, share in shares.items()}


def in_order(amounts: list[tuple[Hashable, Decimal]], budget: Decimal) -> dict[Hashable, Decimal]:
    """Whole amounts in the given order while they fit; zero for the first that does not and after."""
    result, left, stopped = {}, budget, False
    for key, amount in amounts:
        stopped = stopped or amount > left
        result[key] = Decimal("0.00") if stopped else amount
        left -= result[key]
    return result
