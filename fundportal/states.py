"""One way to move a model's state: a table of the allowed moves beside the model, and one function
that performs a move. Nothing else assigns a state.

A model declares its table as a class attribute, next to its states:

    class Statement(models.Model):
        class State(models.TextChoices): ...
        MOVES = Moves({State.QUEUED: {State.BUILDING}, ...},
                      names={State.BUILDING: "开始生成", ...}, initial={State.QUEUED})

and every change of state goes through `state_move` (one row) or `states_move` (many rows), which
lock the row, read its state again under the lock, refuse a move the table does not hold with a
Chinese message ("当前状态为“已发布”，不能重新生成"), write the new state and the given fields in one
save, and leave a history row (django-simple-history) with the reason and the acting user. A row is
created in a state of `initial` through `state_create`. Checks that belong to the stage (permissions,
the officer's area) stay in the stage's own function, which calls these; a check that must see the
locked row is passed as `check`.

tests/core/test_state_tables.py walks every table (`Moves.pairs`) and checks that no module but
this one assigns a declared state field.
"""
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import NamedTuple

from django.apps import apps
from django.core import checks
from django.core.exceptions import ValidationError
from django.db import models, transaction


class Pair(NamedTuple):
    """One (state, target) of a table, for tests that walk it: `allowed` says whether the table holds it."""

    state: str
    to: str
    allowed: bool


class Moves:
    """A model's allowed moves: {state: {target, …}}, what each target's move is called (for the
    message refusing it), the field that holds the state, and the states a row may start in."""

    def __init__(self, table: Mapping[str, Iterable[str]], *, names: Mapping[str, str], field: str = "state",
                 initial: Iterable[str] = ()):
        self.table = {str(state): frozenset(str(to) for to in targets) for state, targets in table.items()}
        self.names = {str(to): name for to, name in names.items()}
        self.field = field
        self.initial = frozenset(str(state) for state in initial)
        missing = {to for targets in self.table.values() for to in targets} - set(self.names)
        if missing:
            raise ValueError(f"moves without a name: {sorted(missing)}")

    def allows(self, state: str, to: str) -> bool:
        return str(to) in self.table.get(str(state), ())

    def refusal(self, model: type[models.Model], state: str, to: str) -> str:
        """The message refusing a move: 当前状态为“已发布”，不能重新生成."""
        choices = dict(model._meta.get_field(self.field).flatchoices)
        name = self.names.get(str(to)) or f"改为“{choices.get(to, to)}”"
        return f"当前状态为“{choices.get(state, state)}”，不能{name}"

    def states(self, model: type[models.Model]) -> list[str]:
        """Every state the model's field may hold (its choices)."""
        return [str(value) for value, _label in model._meta.get_field(self.field).flatchoices]

    def pairs(self, model: type[models.Model]) -> Iterator[Pair]:
        """Every state × every state of the model, each marked allowed or not: a test walks them all."""
        for state in self.states(model):
            for to in self.states(model):
                yield Pair(state, to, self.allows(state, to))

    def problems(self, model: type[models.Model]) -> list[str]:
        """What is wrong with the table for this model: a state with no row, a move to or from a
        state the field cannot hold."""
        known = set(self.states(model))
        found = [f"state {s!r} has no row in the table" for s in sorted(known - set(self.table))]
        default = model._meta.get_field(self.field).get_default()
        if default not in self.initial:
            found.append(f"the field's default {default!r} is not in `initial` (a new row starts there)")
        found += [f"{s!r} is not a state of {model._meta.label}.{self.field}"
                  for s in sorted((set(self.table) | self.initial
                                   | {to for targets in self.table.values() for to in targets}) - known)]
        return found


def moves_of(model: type[models.Model]) -> Moves:
    moves = getattr(model, "MOVES", None)
    if not isinstance(moves, Moves):
        raise TypeError(f"{model._meta.label} declares no MOVES table (fundportal.states.Moves)")
    return moves


def _auto_now_fields(model: type[models.Model]) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if getattr(f, "auto_now", False)]


def _mark(instance: models.Model, *, acting_user, reason: str) -> None:
    """What the history row of the next save says: why, and who (else the acting service's user,
    fundportal.audit.records_actor)."""
    instance._change_reason = reason
    if acting_user is not None:
        instance._history_user = acting_user


def state_move(target: models.Model | type[models.Model], to: str, *, pk=None, acting_user=None, reason: str = "",
               check: Callable[[models.Model], None] | None = None, **fields) -> models.Model:
    """Move one row to the state `to`: lock it, read it again, refuse a move its table does not hold
    (ValidationError, code "invalid_move"), write the state and `fields` in one save, with a history
    row saying `reason`. `target` is the row, or its model with `pk`. `check(locked_row)` runs under
    the lock before the table is read (an area check, a job's owner): it raises to refuse.
    Returns the row as written."""
    model = target if isinstance(target, type) else type(target)
    pk = target.pk if pk is None and not isinstance(target, type) else pk
    moves = moves_of(model)
    for name in fields:
        model._meta.get_field(name)  # FieldDoesNotExist for a misspelt field, never a silent attribute
    with transaction.atomic():
        # Locked, then read: whatever state it was in when the caller looked, this is the one that counts.
        locked = model._base_manager.select_for_update().get(pk=pk)
        if check is not None:
            check(locked)
        state = getattr(locked, moves.field)
        if not moves.allows(state, to):
            raise ValidationError(moves.refusal(model, state, to), code="invalid_move")
        setattr(locked, moves.field, to)
        for name, value in fields.items():
            setattr(locked, name, value)
        _mark(locked, acting_user=acting_user, reason=reason)
        locked.save(update_fields=list(dict.fromkeys([moves.field, *fields, *_auto_now_fields(model)])))
    return locked


def states_move(queryset: models.QuerySet, to: str, *, acting_user=None, reason: str = "", **fields) -> list:
    """Move every row of `queryset` to `to` at once: the rows locked in one query (in key order, as
    every bulk move takes them), all refused if one may not move, one UPDATE, one history row each.
    Returns the keys of the rows moved."""
    model = queryset.model
    moves = moves_of(model)
    with transaction.atomic():
        rows = list(queryset.select_for_update().order_by("pk").values_list("pk", moves.field))
        for pk, state in rows:
            if not moves.allows(state, to):
                row = model._base_manager.get(pk=pk)  # named as people know it, not by its key
                raise ValidationError(f"{model._meta.verbose_name}“{row}”：{moves.refusal(model, state, to)}",
                                      code="invalid_move")
        pks = [pk for pk, _state in rows]
        if not pks:
            return []
        model._base_manager.filter(pk__in=pks).update(**{moves.field: to}, **fields)
        written = list(model._base_manager.filter(pk__in=pks).order_by("pk"))
        if hasattr(model, "history"):
            model.history.bulk_history_create(written, update=True, default_user=acting_user,
                                              default_change_reason=reason)
    return pks


def state_create(model: type[models.Model], *, acting_user=None, reason: str = "", **fields) -> models.Model:
    """Create a row in a state its table lets a row start in (`Moves.initial`; the field's default
    if `fields` names none)."""
    moves = moves_of(model)
    row = model(**fields)
    state = getattr(row, moves.field)
    if state not in moves.initial:
        choices = dict(model._meta.get_field(moves.field).flatchoices)
        raise ValidationError(f"不能以“{choices.get(state, state)}”状态新建", code="invalid_move")
    _mark(row, acting_user=acting_user, reason=reason)
    row.save(force_insert=True)
    return row


def models_with_moves() -> list[type[models.Model]]:
    """Every installed model that declares a table of moves."""
    return [m for m in apps.get_models() if isinstance(getattr(m, "MOVES", None), Moves)]


@checks.register(checks.Tags.models)
def state_tables_are_complete(app_configs, **kwargs):
    """A table with a state missing, or naming a state its field cannot hold, stops the site."""
    return [checks.Error(f"{model._meta.label}.MOVES: {problem}", obj=model, id="fundportal.E103")
            for model in models_with_moves() for problem in moves_of(model).problems(model)]
