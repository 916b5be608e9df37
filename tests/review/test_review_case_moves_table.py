"""A review case moves only as ReviewCase.MOVES says, through fundportal.states:

- the table is walked whole (every state × every state): an allowed move succeeds with a history row
  giving its reason and officer, any other is refused in words and changes nothing;
- a case opens in first screening, or (a re-review) in its town or village — never further on;
- the bulk moves (a run's cases to their towns) are states_move: every case moved with its history
  row, and refused as a whole when one may not move;
- review/services.py assigns no state but an application's (which the applications stage moves).
"""
import ast
import re
import threading
import time
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import connections, transaction

from assistance.models import EligibilityCategory, ReviewCase
from assistance.review import services as review
from fundportal.states import state_create, state_move, states_move
from tests.review.test_review_moves import case_of

State = ReviewCase.State
LABELS = dict(State.choices)
ROOT = Path(__file__).resolve().parents[2]


def _fields_for(to: str) -> dict:
    """What the database insists a move to `to` writes with it (a decision's category or reason)."""
    if to == State.ELIGIBLE:
        return {"category": EligibilityCategory.objects.order_by("id").first()}
    if to == State.NOT_ELIGIBLE:
        return {"decision_reason": "收入超标"}
    if to == State.CLOSED:
        return {"closed_reason": "对象已死亡"}
    return {}


@pytest.mark.parametrize("pair", list(ReviewCase.MOVES.pairs(ReviewCase)), ids=lambda p: f"{p.state}->{p.to}")
def test_every_review_case_move_in_the_table_succeeds_and_every_other_is_refused(pair, shared_run, cab_city):
    case = case_of("韩田村")
    ReviewCase.objects.filter(pk=case.pk).update(state=pair.state, **_fields_for(pair.state))  # put it there
    before = case.history.count()
    if pair.allowed:
        moved = state_move(case, pair.to, acting_user=cab_city, reason="按表移动", **_fields_for(pair.to))
        assert ReviewCase.objects.get(pk=case.pk).state == moved.state == pair.to
        latest = case.history.first()
        assert case.history.count() == before + 1
        assert (latest.state, latest.history_change_reason, latest.history_user) == (pair.to, "按表移动", cab_city)
        return
    with pytest.raises(ValidationError) as refused:
        state_move(case, pair.to, acting_user=cab_city, reason="按表移动", **_fields_for(pair.to))
    assert refused.value.messages == [f"当前状态为“{LABELS[pair.state]}”，不能"
                                      f"{ReviewCase.MOVES.names.get(pair.to) or '改为“' + LABELS[pair.to] + '”'}"]
    assert ReviewCase.objects.get(pk=case.pk).state == pair.state
    assert case.history.count() == before


def test_a_case_never_opens_already_verified(shared_run, regions):
    case = case_of("韩田村")
    with pytest.raises(ValidationError, match="不能以“已甄别，待认定”状态新建"):
        state_create(ReviewCase, person=case.person, year=case.year - 1, region=case.region,
                     source=ReviewCase.Source.APPLICATION, state=State.VERIFIED, state_since=case.state_since)
    assert set(ReviewCase.objects.values_list("state", flat=True)) == {State.FIRST_SCREENING}


def test_a_bulk_dispatch_moves_every_case_with_its_history_or_none(shared_run, cab_city):
    cases = ReviewCase.objects.filter(target__run=shared_run)
    one = cases.order_by("id").first()
    ReviewCase.objects.filter(pk=one.pk).update(state=State.VERIFIED)
    with pytest.raises(ValidationError, match=re.escape(f"低收入资格审核“{one}”：当前状态为“已甄别，待认定”，不能派至乡镇（街道）")):
        states_move(cases, State.AT_TOWN, acting_user=cab_city)
    assert not cases.filter(state=State.AT_TOWN).exists()  # none moved: one could not

    ReviewCase.objects.filter(pk=one.pk).update(state=State.FIRST_SCREENING)
    moved = review.review_cases_dispatch(acting_user=cab_city, run=shared_run)
    assert moved == cases.count() and set(cases.values_list("state", flat=True)) == {State.AT_TOWN}
    for case in cases:
        latest = case.history.first()
        assert (latest.state, latest.history_change_reason, latest.history_user) == (
            State.AT_TOWN, "监测初筛完成，批量派至乡镇（街道）", cab_city)
        assert case.due_on is not None


def test_the_review_services_assign_no_state_but_an_applications():
    tree = ast.parse((ROOT / "assistance/review/services.py").read_text(encoding="utf-8"))
    assigned = [target.value.id for node in ast.walk(tree) if isinstance(node, ast.Assign)
                for target in node.targets
                if isinstance(target, ast.Attribute) and target.attr == "state" and isinstance(target.value, ast.Name)]
    assert set(assigned) <= {"application"}, assigned
    keywords = [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Call)
                and getattr(node.func, "id", getattr(node.func, "attr", "")) in {"ReviewCase", "update", "create"}
                and any(k.arg == "state" for k in node.keywords)]
    assert keywords == []


@pytest.mark.django_db(transaction=True)
def test_a_bulk_dispatch_leaves_out_a_case_another_officer_moved_a_moment_before_and_moves_the_rest(
        shared_run, cab_city):
    """The bulk move waits for the single move's lock; it then sees that case moved and leaves it,
    instead of refusing every case (PostgreSQL checks the state again on the row it waited for)."""
    cases = ReviewCase.objects.filter(target__run=shared_run)
    one = cases.order_by("id").first()
    locked, release = threading.Event(), threading.Event()

    def single_move():
        try:
            with transaction.atomic():
                review.review_case_dispatch(case=one, acting_user=cab_city)
                locked.set()
                release.wait(10)
        finally:
            connections.close_all()

    def bulk_move():
        try:
            locked.wait(10)
            results.append(review.review_cases_dispatch(acting_user=cab_city, run=shared_run))
        except Exception as exc:
            results.append(exc)
        finally:
            connections.close_all()

    results = []
    threads = [threading.Thread(target=single_move), threading.Thread(target=bulk_move)]
    for thread in threads:
        thread.start()
    locked.wait(10)
    time.sleep(0.5)  # the bulk move is now waiting for the single move's row lock
    release.set()
    for thread in threads:
        thread.join(30)
    assert results == [cases.count() - 1]
    assert set(cases.values_list("state", flat=True)) == {State.AT_TOWN}
    assert one.history.filter(history_change_reason="监测初筛完成，批量派至乡镇（街道）").count() == 0
