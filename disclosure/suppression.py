"""Small counts in the public funnel (disclosure/funnel.py): which cells are hidden, as a pure rule
on numbers (no database), so it can be read, and tested, as a rule.

The table: one row per town/street (and possibly one merged row), a city total row, and one column
per stage: screened ≥ shared ≥ verified ≥ eligible ≥ applied ≥ approved ≥ paid (each stage counts
people of the stage before), plus not_applied = eligible − applied (应助未助).

The rule — no group of fewer than MIN_GROUP people can be identified:

1. Merging. Towns with 1 to MIN_GROUP − 1 people screened, and people whose household region is no
   town of the city, are counted together in one row, MERGED ("其他乡镇（合并）"), after the towns.
2. Primary suppression. Every cell (towns, merged row and city total) holding 1 to MIN_GROUP − 1
   is hidden. A shown cell is therefore 0 or at least MIN_GROUP.
3. The published equations. Each stage's city total is the sum of its rows; in every row (and in
   the total) not_applied = eligible − applied. No hidden cell may be derivable from them: no
   combination of these equations, with the shown cells put in, leaves one hidden cell as its
   only unknown. For a stage outside (eligible, applied, not_applied) — it has only its column
   equation — that means a column holds no hidden cell or at least two. The three coupled
   stages form a table with row and column totals: a hidden cell is derivable exactly when it is
   a bridge of the graph whose vertices are the rows and the three columns and whose edges are
   the hidden cells (it lies on no cycle of hidden cells; tests/funnel checks this against exact
   linear algebra).
   And the hidden cells of a column whose total is shown add up (total minus the shown cells) to
   0 or at least MIN_GROUP: two hidden towns holding 3 people together would be a small group.
4. The stages' order. A hidden cell must not be pinned by the shown cells around it in its own
   row: the nearest shown stage above it (upper bound) and the nearest shown stage below it (lower
   bound; 0 if none) must differ.
5. Complementary suppression. While a hidden cell breaks 3 or 4, one more cell is hidden. For 3,
   a shown cell of the same equations that protects it (for the coupled stages, when no single
   cell can, the nearest one to build a cycle with): the smallest count that is not 0 first (a 0
   would only tell the reader the hidden ones are few), town rows before the city total, and
   never one that 4 would pin. For 4, the nearest shown stage above it. Each round hides one more
   cell, so this ends (at worst with every cell hidden).

Every hidden cell is published the same way (null with the row's list of hidden stages, shown as
"*"): a hidden cell says neither that it is small nor that it was hidden to protect another one,
which would let a reader bound it and solve the equations by elimination.
"""
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

MIN_GROUP = 5
MERGED = "其他乡镇（合并）"
CHAIN = ("screened", "shared", "verified", "eligible", "applied", "approved", "paid")
STAGES = (*CHAIN, "not_applied")
COUPLED = ("eligible", "applied", "not_applied")  # row equation: not_applied = eligible − applied
TOTAL = -1  # the row index of the city total

Cell = tuple[int, str]  # (row index or TOTAL, stage)


@dataclass(frozen=True)
class Town:
    code: str  # "" for the merged row
    name: str
    counts: dict[str, int]


def merged(towns: Iterable[Town], *, unplaced: dict[str, int] | None = None) -> list[Town]:
    """The rows of the table (rule 1): towns with at least MIN_GROUP screened, by code, then the
    merged row of the smaller towns and the unplaced people, if any."""
    rows, rest, any_rest = [], dict.fromkeys(STAGES, 0), False
    for town in sorted(towns, key=lambda town: town.code):
        if town.counts.get("screened", 0) >= MIN_GROUP:
            rows.append(town)
        elif any(town.counts.values()):
            any_rest = True
            for stage in STAGES:
                rest[stage] += town.counts.get(stage, 0)
    if unplaced and any(unplaced.values()):
        any_rest = True
        for stage in STAGES:
            rest[stage] += unplaced.get(stage, 0)
    if any_rest:
        rows.append(Town(code="", name=MERGED, counts=rest))
    return rows


def totals(rows: list[Town]) -> dict[str, int]:
    return {stage: sum(row.counts.get(stage, 0) for row in rows) for stage in STAGES}


class _Table:
    """The values of every cell, rows 0…n−1 and TOTAL."""

    def __init__(self, rows: list[dict[str, int]], total: dict[str, int]):
        self.rows = list(range(len(rows))) + [TOTAL]
        self.value = {(index, stage): counts[stage] for index, counts in enumerate(rows) for stage in STAGES}
        self.value.update({(TOTAL, stage): total[stage] for stage in STAGES})

    def column(self, stage: str) -> list[Cell]:
        return [(row, stage) for row in self.rows]


def _is_bridge(edge: Cell, edges: set[Cell]) -> bool:
    """Whether a hidden coupled cell lies on no cycle: without it, its row and column are no longer
    connected through the other hidden coupled cells."""
    neighbours = defaultdict(set)
    for row, stage in edges - {edge}:
        neighbours[("row", row)].add(("stage", stage))
        neighbours[("stage", stage)].add(("row", row))
    start, goal = ("row", edge[0]), ("stage", edge[1])
    seen, queue = {start}, [start]
    while queue:
        vertex = queue.pop()
        if vertex == goal:
            return False
        for following in neighbours[vertex] - seen:
            seen.add(following)
            queue.append(following)
    return True


def derivable(table: _Table, hidden: set[Cell], cell: Cell) -> bool:
    """Rule 3: whether the published equations give this hidden cell's value."""
    if cell[1] in COUPLED:
        return _is_bridge(cell, {c for c in hidden if c[1] in COUPLED})
    return sum(1 for c in table.column(cell[1]) if c in hidden) == 1


def _bounds(table: _Table, hidden: set[Cell], cell: Cell) -> tuple[int | None, int]:
    """Rule 4: (upper, lower) bound of a cell from the nearest shown stages of its row (None: none)."""
    row, stage = cell
    chain = (*CHAIN[:CHAIN.index("eligible") + 1], "not_applied") if stage == "not_applied" else CHAIN
    position = chain.index(stage)
    above = [table.value[(row, s)] for s in reversed(chain[:position]) if (row, s) not in hidden]
    below = [table.value[(row, s)] for s in chain[position + 1:] if (row, s) not in hidden]
    return (above[0] if above else None), (below[0] if below else 0)


def pinned(table: _Table, hidden: set[Cell], cell: Cell) -> bool:
    upper, lower = _bounds(table, hidden, cell)
    return upper is not None and upper == lower


def _cost(table: _Table, hidden: set[Cell], cell: Cell) -> tuple:
    """Which shown cell to hide first (rule 5)."""
    value = table.value[cell]
    return (pinned(table, hidden | {cell}, cell), value == 0, value, cell[0] == TOTAL,
            cell[0] if cell[0] != TOTAL else 0, STAGES.index(cell[1]))


def _protector(table: _Table, hidden: set[Cell], cell: Cell) -> Cell:
    """The shown cell to hide so that `cell` is no longer derivable (rule 3)."""
    if cell[1] in COUPLED:  # its row's and its column's cells; all of the block if it takes one cell
        near = [c for c in table.value if c[1] in COUPLED and (c[0] == cell[0] or c[1] == cell[1])]
        candidates = [(row, stage) for row in table.rows for stage in COUPLED]
    else:
        near = candidates = table.column(cell[1])
    single = [c for c in candidates if c not in hidden and not derivable(table, hidden | {c}, cell)]
    return min(single or [c for c in near if c not in hidden], key=lambda c: _cost(table, hidden, c))


def _small_group(table: _Table, hidden: set[Cell]) -> str | None:
    """A stage whose total is shown and whose hidden town cells hold 1 to MIN_GROUP − 1 people."""
    for stage in STAGES:
        if (TOTAL, stage) not in hidden:
            held = sum(table.value[c] for c in table.column(stage) if c in hidden)
            if 0 < held < MIN_GROUP:
                return stage
    return None


def _nearest_shown_above(table: _Table, hidden: set[Cell], cell: Cell) -> Cell | None:
    row, stage = cell
    chain = (*CHAIN[:CHAIN.index("eligible") + 1], "not_applied") if stage == "not_applied" else CHAIN
    for above in reversed(chain[:chain.index(stage)]):
        if (row, above) not in hidden:
            return (row, above)
    return None


def suppressed(rows: list[dict[str, int]], total: dict[str, int]) -> set[Cell]:
    """The cells to hide (rules 2 to 5) of a table: its rows' counts and the city total."""
    table = _Table(rows, total)
    hidden = {cell for cell, value in table.value.items() if 0 < value < MIN_GROUP}
    order = sorted(table.value, key=lambda c: (c[0] == TOTAL, c[0], STAGES.index(c[1])))
    while True:
        if (exposed := next((c for c in order if c in hidden and derivable(table, hidden, c)), None)):
            hidden.add(_protector(table, hidden, exposed))
        elif (stage := _small_group(table, hidden)):
            shown = [c for c in table.column(stage) if c not in hidden]
            hidden.add(min(shown, key=lambda c: _cost(table, hidden, c)))
        elif (held := next((c for c in order if c in hidden and pinned(table, hidden, c)), None)):
            hidden.add(_nearest_shown_above(table, hidden, held))
        else:
            return hidden
