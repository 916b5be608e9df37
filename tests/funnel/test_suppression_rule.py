"""The small-count rule of the public funnel (disclosure/suppression.py), tested as a rule on
generated tables: every shown cell is 0 or at least 5; no hidden cell is the only unknown of any
published equation — a stage's city total, a row's not_applied = eligible − applied — nor of any
combination of them (checked here by exact linear algebra, apart from the rule's own reasoning);
hidden cells of a column with its total shown hold 0 or at least 5 people together; no hidden
cell is pinned by the shown stages around it; towns with under 5 screened are merged."""
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from disclosure.suppression import (CHAIN, MERGED, MIN_GROUP, STAGES, TOTAL, Town, merged, suppressed,
                                    totals)

SMALL = st.integers(min_value=0, max_value=MIN_GROUP - 1)
ANY = st.one_of(SMALL, st.integers(min_value=0, max_value=60), st.integers(min_value=0, max_value=400))


@st.composite
def town_counts(draw) -> dict[str, int]:
    """One town's stages: each at most the one before; not_applied = eligible − applied."""
    counts, previous = {}, draw(ANY)
    for stage in CHAIN:
        previous = counts[stage] = previous if stage == "screened" else draw(
            st.one_of(st.just(previous), st.integers(min_value=0, max_value=previous),
                      st.integers(min_value=max(previous - 4, 0), max_value=previous)))
    counts["not_applied"] = counts["eligible"] - counts["applied"]
    return counts


@st.composite
def tables(draw) -> tuple[list[Town], dict[str, int]]:
    towns = [Town(code=f"33038110{n:02d}00", name=f"镇{n}", counts=draw(town_counts()))
             for n in range(draw(st.integers(min_value=0, max_value=7)))]
    unplaced = draw(st.one_of(st.none(), town_counts()))
    return towns, unplaced


def _cells(rows: list[dict], total: dict) -> dict:
    values = {(index, stage): row[stage] for index, row in enumerate(rows) for stage in STAGES}
    values.update({(TOTAL, stage): total[stage] for stage in STAGES})
    return values


def equations(row_count: int) -> list[dict]:
    """The published equations, each as {cell: coefficient} = 0."""
    found = []
    for stage in STAGES:
        equation = {(TOTAL, stage): 1}
        equation.update({(index, stage): -1 for index in range(row_count)})
        found.append(equation)
    for index in [*range(row_count), TOTAL]:
        found.append({(index, "not_applied"): 1, (index, "eligible"): -1, (index, "applied"): 1})
    return found


def determined(row_count: int, hidden: set) -> set:
    """The hidden cells some combination of the equations gives (the shown cells are known): a
    unit vector in the row space of the equations restricted to the hidden cells."""
    cells = sorted(hidden, key=lambda cell: (cell[0], cell[1]))
    position = {cell: n for n, cell in enumerate(cells)}
    matrix = []
    for equation in equations(row_count):
        line = [Fraction(0)] * len(cells)
        for cell, coefficient in equation.items():
            if cell in position:
                line[position[cell]] += coefficient
        if any(line):
            matrix.append(line)
    pivots, top = [], 0
    for column in range(len(cells)):
        pivot = next((r for r in range(top, len(matrix)) if matrix[r][column]), None)
        if pivot is None:
            continue
        matrix[top], matrix[pivot] = matrix[pivot], matrix[top]
        matrix[top] = [value / matrix[top][column] for value in matrix[top]]
        for r in range(len(matrix)):
            if r != top and matrix[r][column]:
                factor = matrix[r][column]
                matrix[r] = [a - factor * b for a, b in zip(matrix[r], matrix[top])]
        pivots.append((top, column))
        top += 1
    return {cells[column] for row, column in pivots
            if all(not value for n, value in enumerate(matrix[row]) if n != column)}


def pinned(values: dict, hidden: set, cell) -> bool:
    row, stage = cell
    chain = [*CHAIN[:CHAIN.index("eligible") + 1], "not_applied"] if stage == "not_applied" else list(CHAIN)
    at = chain.index(stage)
    above = [values[(row, s)] for s in reversed(chain[:at]) if (row, s) not in hidden]
    below = [values[(row, s)] for s in chain[at + 1:] if (row, s) not in hidden]
    return bool(above) and above[0] == (below[0] if below else 0)


@settings(max_examples=400, deadline=None)
@given(tables())
def test_the_rule_holds_on_any_table(table):
    towns, unplaced = table
    rows = merged(towns, unplaced=unplaced)
    total = totals(rows)
    values = _cells([row.counts for row in rows], total)
    hidden = suppressed([row.counts for row in rows], total)

    assert all(row.counts["screened"] >= MIN_GROUP for row in rows if row.name != MERGED)
    assert [row.name for row in rows].count(MERGED) <= 1 and (MERGED not in [r.name for r in rows[:-1]])
    assert all(values[cell] == 0 or values[cell] >= MIN_GROUP for cell in values if cell not in hidden)
    assert {cell for cell in values if 0 < values[cell] < MIN_GROUP} <= hidden
    assert determined(len(rows), hidden) == set()
    for stage in STAGES:
        if (TOTAL, stage) not in hidden:
            held = sum(values[(row, stage)] for row in range(len(rows)) if (row, stage) in hidden)
            assert held == 0 or held >= MIN_GROUP
    assert [cell for cell in hidden if pinned(values, hidden, cell)] == []


def table_of(*rows: dict) -> tuple[list[dict], dict]:
    full = [{**dict(zip(CHAIN, row)), "not_applied": row[3] - row[4]} for row in rows]
    return full, {stage: sum(row[stage] for row in full) for stage in STAGES}


def test_a_small_not_applied_is_not_eligible_minus_applied():
    rows, total = table_of((40, 40, 30, 20, 17, 15, 15), (60, 60, 50, 40, 40, 35, 30))
    hidden = suppressed(rows, total)
    assert (0, "not_applied") in hidden  # 3
    assert (0, "eligible") in hidden or (0, "applied") in hidden  # else 20 − 17 gives it
    assert (TOTAL, "not_applied") in hidden or {(TOTAL, "eligible"), (TOTAL, "applied")} & hidden \
        or (1, "not_applied") in hidden  # else the city's 3 − the other towns' gives it
    assert determined(len(rows), hidden) == set()


def test_one_small_town_is_not_the_city_total_minus_the_others():
    rows, total = table_of((40, 40, 30, 20, 20, 20, 3), (60, 60, 50, 40, 40, 35, 32), (50, 50, 40, 30, 30, 30, 30))
    hidden = suppressed(rows, total)
    assert {cell for cell in hidden if cell[1] == "paid"} == {(0, "paid"), (2, "paid")}  # 30: the smallest shown
    assert (TOTAL, "paid") not in hidden


def test_a_table_with_nothing_small_hides_nothing():
    rows, total = table_of((40, 40, 30, 20, 15, 15, 10), (60, 60, 50, 40, 40, 35, 30))
    assert suppressed(rows, total) == set()
