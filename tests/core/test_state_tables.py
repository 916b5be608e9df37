"""Every state moves only as its table says, and only through fundportal.states.

- Each table is walked whole: every state × every target; an allowed move succeeds and leaves a
  history row with its reason, any other is refused with a Chinese message and changes nothing.
- The move is checked against the state read under the row's lock: two people moving the same row
  at once get one move, and the other is told what the state now is.
- No module but the writer assigns a declared state field (a grep of the source, for every model
  in STATE_WRITERS: the other stages add theirs as their states move to fundportal.states).
"""
import ast
import datetime as dt
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from assistance.models import (
    Application, BankResult, OutreachTask, Payout, PayoutBatch, ReviewCase, ScreeningRun, SettlementImport,
)
from disclosure.models import Statement
from fundportal.states import models_with_moves, moves_of, state_create, state_move, states_move
from tests.concurrency import run_concurrently

ROOT = Path(__file__).resolve().parents[2]
APPS = ("fundportal", "donations", "assistance", "disclosure", "demo")
S = Statement.State

# (model, the only modules that may write its state field). Add a model here when its moves go
# through fundportal.states.
STATE_WRITERS = [
    (Statement, {"fundportal/states.py"}),
    (SettlementImport, {"fundportal/states.py"}),
    (ScreeningRun, {"fundportal/states.py"}),
    (ReviewCase, {"fundportal/states.py"}),
    (Application, {"fundportal/states.py"}),
    (PayoutBatch, {"fundportal/states.py"}),
    (Payout, {"fundportal/states.py"}),
    (BankResult, {"fundportal/states.py"}),
    (OutreachTask, {"fundportal/states.py"}),
]


def _statement(state: str, **fields) -> Statement:
    """A statement standing in `state` (a published one complete, as the database requires)."""
    if state == S.PUBLISHED:
        fields = {"sequence": 1, "published_at": dt.datetime(2023, 8, 1, tzinfo=dt.UTC), "sha256": "a" * 64,
                  "document": "{}", **fields}
    fields = {"period_start": dt.date(2023, 6, 1), "period_end": dt.date(2023, 6, 30), **fields}
    return Statement.objects.create(kind=Statement.Kind.MONTH, title="收支公示", state=state, **fields)


def _fields_for(to: str) -> dict:
    """What a move to `to` writes with it where the database insists (a publication's header)."""
    if to == S.PUBLISHED:
        return {"sequence": 1, "published_at": dt.datetime(2023, 8, 1, tzinfo=dt.UTC), "sha256": "b" * 64,
                "document": "{}"}
    return {}


@pytest.mark.django_db
@pytest.mark.parametrize("pair", list(Statement.MOVES.pairs(Statement)), ids=lambda p: f"{p.state}->{p.to}")
def test_every_statement_move_in_the_table_succeeds_and_every_other_is_refused(pair, finance):
    statement = _statement(pair.state)
    before = statement.history.count()
    if pair.allowed:
        moved = state_move(statement, pair.to, acting_user=finance, reason="按表移动", **_fields_for(pair.to))
        assert Statement.objects.get(pk=statement.pk).state == moved.state == pair.to
        latest = statement.history.first()
        assert statement.history.count() == before + 1
        assert (latest.state, latest.history_change_reason, latest.history_user) == (pair.to, "按表移动", finance)
        return
    labels = dict(Statement.State.choices)
    with pytest.raises(ValidationError) as refused:
        state_move(statement, pair.to, acting_user=finance, reason="按表移动", **_fields_for(pair.to))
    assert refused.value.messages == [f"当前状态为“{labels[pair.state]}”，不能{Statement.MOVES.names[pair.to]}"]
    assert Statement.objects.get(pk=statement.pk).state == pair.state
    assert statement.history.count() == before


@pytest.mark.django_db
def test_a_published_statement_is_refused_a_rebuild_in_words():
    with pytest.raises(ValidationError, match="^.*当前状态为“已发布”，不能重新生成.*$"):
        state_move(Statement, S.QUEUED, pk=_statement(S.PUBLISHED).pk)


@pytest.mark.django_db
def test_a_row_starts_only_in_a_state_its_table_lets_it_start_in():
    with pytest.raises(ValidationError, match="不能以“生成中”状态新建"):
        state_create(Statement, kind="month", period_start=dt.date(2023, 6, 1), period_end=dt.date(2023, 6, 30),
                     title="x", state=S.BUILDING)
    assert not Statement.objects.exists()
    created = state_create(Statement, reason="新建", kind="month", period_start=dt.date(2023, 6, 1),
                           period_end=dt.date(2023, 6, 30), title="x", state=S.BUILT)
    assert created.history.first().history_change_reason == "新建"


def test_every_table_names_each_state_of_its_model_and_nothing_else():
    assert Statement in models_with_moves()
    for model in models_with_moves():
        assert moves_of(model).problems(model) == [], model


@pytest.mark.django_db(transaction=True)
def test_two_moves_of_one_row_at_once_make_one_move_and_the_other_reads_the_new_state():
    statement = _statement(S.BUILT)
    results = run_concurrently(lambda i: state_move(Statement, S.QUEUED, pk=statement.pk, reason="重新生成"), 4)
    moved = [r for r in results if isinstance(r, Statement)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(moved) == 1 and len(refused) == 3, results
    assert all(r.messages == ["当前状态为“排队中”，不能重新生成"] for r in refused)
    assert statement.history.filter(history_change_reason="重新生成").count() == 1


# ------------------------------------------------------------------ nobody else writes a state

WRITE_CALLS = {"update", "create", "get_or_create", "update_or_create"}


def _names(tree: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} | \
        {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}


def _targets(node: ast.AST):
    if isinstance(node, ast.Tuple | ast.List):
        for element in node.elts:
            yield from _targets(element)
    else:
        yield node


def state_writes(source: str, model_name: str, field: str) -> list[str]:
    """Where `source` writes `field` of `model_name` rows other than through fundportal.states: an
    attribute assignment (`x.state = …`, in a module that names the model), `state=` in an
    update()/create() call or its defaults, the model built with `state=`, setattr(x, "state", …),
    or bulk_update(…, ["state"])."""
    tree = ast.parse(source)
    if model_name not in _names(tree):
        return []
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            for target in (node.targets if isinstance(node, ast.Assign) else [node.target]):
                for leaf in _targets(target):
                    if isinstance(leaf, ast.Attribute) and leaf.attr == field:
                        found.append(f"{node.lineno}: .{field} = …")
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        keywords = {k.arg: k.value for k in node.keywords if k.arg}
        if name in WRITE_CALLS | {model_name} and field in keywords:
            found.append(f"{node.lineno}: {name}({field}=…)")
        for defaults in ("defaults", "create_defaults"):
            value = keywords.get(defaults)
            if name in WRITE_CALLS and isinstance(value, ast.Dict) and any(
                    isinstance(k, ast.Constant) and k.value == field for k in value.keys):
                found.append(f"{node.lineno}: {name}({defaults}={{'{field}': …}})")
        if name == "setattr" and len(node.args) >= 2 and isinstance(node.args[1], ast.Constant) \
                and node.args[1].value == field:
            found.append(f"{node.lineno}: setattr(…, '{field}', …)")
        if name == "bulk_update" and any(isinstance(c, ast.Constant) and c.value == field
                                         for arg in [*node.args[1:], *keywords.values()] for c in ast.walk(arg)):
            found.append(f"{node.lineno}: bulk_update(…, ['{field}'])")
    return found


def test_the_grep_finds_each_way_of_writing_a_state():
    source = """
from disclosure.models import Statement
statement.state = "built"
a, statement.state = 1, "built"
Statement.objects.filter(pk=1).update(state="built")
Statement.objects.create(kind="month", state="built")
Statement.objects.get_or_create(kind="month", defaults={"state": "built"})
Statement(kind="month", state="built")
setattr(statement, "state", "built")
Statement.objects.bulk_update(rows, ["state"])
Statement.objects.filter(state="built").values("state")  # a read
"""
    assert [line.split(":")[0] for line in state_writes(source, "Statement", "state")] == [
        "3", "4", "5", "6", "7", "8", "9", "10"]
    assert state_writes(source.replace("Statement", "Other"), "Statement", "state") == []


@pytest.mark.parametrize("model, writers", STATE_WRITERS, ids=lambda v: getattr(v, "__name__", ""))
def test_no_module_but_the_writer_writes_a_declared_state(model, writers):
    field = moves_of(model).field
    found = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = str(path.relative_to(ROOT))
            if "migrations" in path.parts or relative in writers:
                continue
            found += [f"{relative}:{write}" for write in
                      state_writes(path.read_text(encoding="utf-8"), model.__name__, field)]
    assert found == [], f"move {model.__name__}.{field} with fundportal.states.state_move (or state_create)"


@pytest.mark.django_db
def test_many_rows_move_at_once_only_if_every_one_may(finance):
    built = [_statement(S.BUILT, period_start=dt.date(2023, m, 1), period_end=dt.date(2023, m, 28)) for m in (3, 4)]
    moved = states_move(Statement.objects.filter(pk__in=[s.pk for s in built]), S.QUEUED, acting_user=finance,
                        reason="批量重新生成")
    assert moved == [s.pk for s in built]
    assert set(Statement.objects.filter(pk__in=moved).values_list("state", flat=True)) == {S.QUEUED}
    assert all(s.history.first().history_change_reason == "批量重新生成" for s in built)
    failed = _statement(S.FAILED, period_start=dt.date(2023, 5, 1), period_end=dt.date(2023, 5, 31))
    with pytest.raises(ValidationError, match="当前状态为“排队中”，不能开始生成|当前状态为“生成失败”，不能开始生成"):
        states_move(Statement.objects.filter(pk__in=[*moved, failed.pk]), S.BUILDING)
    assert Statement.objects.filter(state=S.BUILDING).count() == 0  # none moved: one could not
