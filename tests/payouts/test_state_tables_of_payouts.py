"""The money's states move only as their tables say (fundportal.states), every table walked whole:
every state × every target of applications, payout batches, payouts and bank result files. An
allowed move succeeds and leaves its history row with the reason; any other is refused in Chinese
and changes nothing — whatever the database would have let through.

A resolution has no state column: it is a draft until signed (signed_at), signing is its one move,
made only by resolution_sign (the one writer of signed_at and signed_by), and the database refuses
any change after.
"""
import ast

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, InternalError, transaction
from django.utils import timezone

from assistance.council.services import resolution_sign
from assistance.models import Application, BankResult, Payout, PayoutBatch, Resolution
from assistance.payouts.services import payout_batch_create
from fundportal.services import ledger_post_payout, ledger_reverse
from fundportal.states import state_move
from tests.core.test_state_tables import APPS, ROOT, state_writes

pytestmark = pytest.mark.django_db
P = Payout.State


def _entry(payout: Payout, by):
    return ledger_post_payout(amount=payout.amount, source=payout, memo="测试", acting_user=by)


def _payout_in(state: str, signed, finance_a) -> Payout:
    """A payout standing in `state`, with the entries the database requires of it."""
    payout = payout_batch_create(resolution=signed[0], acting_user=finance_a).payouts.order_by("id").first()
    fields = {"state": state}
    if state in (P.PAID, P.RETURNED):
        fields["ledger_entry"] = _entry(payout, finance_a)
    if state == P.RETURNED:
        fields["reversal_entry"] = ledger_reverse(entry=fields["ledger_entry"], reason="测试", acting_user=finance_a)
    Payout.objects.filter(pk=payout.pk).update(**fields)
    return Payout.objects.get(pk=payout.pk)


def _payout_fields(row: Payout, to: str, finance_a) -> dict:
    if to == P.PAID:
        return {"ledger_entry": _entry(row, finance_a)}
    if to == P.RETURNED and row.ledger_entry_id and not row.reversal_entry_id:
        return {"reversal_entry": ledger_reverse(entry=row.ledger_entry, reason="测试", acting_user=finance_a)}
    return {}


def _application_in(state, signed, finance_a):
    application = signed[1]
    Application.objects.filter(pk=application.pk).update(state=state)
    return Application.objects.get(pk=application.pk)


def _batch_in(state, signed, finance_a):
    batch = payout_batch_create(resolution=signed[0], acting_user=finance_a)
    PayoutBatch.objects.filter(pk=batch.pk).update(state=state)
    return PayoutBatch.objects.get(pk=batch.pk)


def _result_in(state, signed, finance_a):
    batch = payout_batch_create(resolution=signed[0], acting_user=finance_a)
    return BankResult.objects.create(batch=batch, file_name="回单.csv", sha256="0" * 64, imported_by=finance_a,
                                     state=state)


FACTORIES = {Application: _application_in, PayoutBatch: _batch_in, Payout: _payout_in, BankResult: _result_in}
WALKS = [(model, pair) for model in FACTORIES for pair in model.MOVES.pairs(model)]


@pytest.mark.parametrize("model, pair", WALKS, ids=lambda v: getattr(v, "__name__", None) or f"{v.state}->{v.to}")
def test_every_move_in_the_table_succeeds_and_every_other_is_refused(model, pair, signed, finance_a):
    row = FACTORIES[model](pair.state, signed, finance_a)
    fields = _payout_fields(row, pair.to, finance_a) if model is Payout else {}
    history = getattr(row, "history", None)
    before = history.count() if history is not None else 0
    if pair.allowed:
        moved = state_move(row, pair.to, acting_user=finance_a, reason="按表移动", **fields)
        assert model.objects.get(pk=row.pk).state == moved.state == pair.to
        if history is not None:
            latest = row.history.first()
            assert history.count() == before + 1
            assert (latest.state, latest.history_change_reason, latest.history_user) == (pair.to, "按表移动", finance_a)
        return
    labels = dict(model._meta.get_field("state").flatchoices)
    with pytest.raises(ValidationError) as refused:
        state_move(row, pair.to, acting_user=finance_a, reason="按表移动", **fields)
    move = model.MOVES.names.get(pair.to) or f"改为“{labels[pair.to]}”"  # a state nothing moves to has no name
    assert refused.value.messages == [f"当前状态为“{labels[pair.state]}”，不能{move}"]
    assert model.objects.get(pk=row.pk).state == pair.state
    if history is not None:
        assert history.count() == before


def test_money_moves_only_from_sent_to_paid_and_from_paid_to_returned():
    into_paid = {p.state for p in Payout.MOVES.pairs(Payout) if p.allowed and p.to == P.PAID}
    into_returned = {p.state for p in Payout.MOVES.pairs(Payout) if p.allowed and p.to == P.RETURNED}
    assert (into_paid, into_returned) == ({P.SENT}, {P.PAID})
    assert not any(Payout.MOVES.allows(state, to) for state in (P.FAILED, P.RETURNED, P.CANCELLED)
                   for to in P.values)


# ------------------------------------------------------------------------------------ resolutions

def test_a_resolution_has_one_move_draft_to_signed():
    states = Resolution.State.values
    allowed = {(a, b) for a in states for b in states if Resolution.SIGNING.allows(a, b)}
    assert allowed == {(Resolution.State.DRAFT, Resolution.State.SIGNED)}
    assert Resolution.SIGNING.initial == {Resolution.State.DRAFT}


def test_signing_moves_a_draft_once_and_a_signed_resolution_never_moves_again(signed, secretary):
    resolution = signed[0]
    assert resolution.state == Resolution.State.SIGNED
    assert resolution.history.first().history_change_reason == "签署"
    with pytest.raises(ValidationError, match=f"决议 {resolution.number} 已签署，不能修改"):
        resolution_sign(resolution=resolution, acting_user=secretary)  # signed → signed
    for back in ({"signed_at": None, "signed_by": None}, {"signed_at": timezone.now()}):  # → draft, or re-signed
        with pytest.raises((IntegrityError, InternalError), match="signed resolutions are immutable"):
            with transaction.atomic():
                Resolution.objects.filter(pk=resolution.pk).update(**back)
    assert Resolution.objects.get(pk=resolution.pk).signed_at == resolution.signed_at


@pytest.mark.parametrize("field", ["signed_at", "signed_by", "signed_by_id"])
def test_only_resolution_signing_writes_signed_at_and_signed_by(field):
    writer = "assistance/council/services.py"
    found = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = str(path.relative_to(ROOT))
            if "migrations" in path.parts or relative == writer:
                continue
            found += [f"{relative}:{write}" for write in state_writes(path.read_text(encoding="utf-8"), "Resolution",
                                                                      field)]
    assert found == [], "a resolution is signed by assistance.council.services.resolution_sign only"
    source = (ROOT / writer).read_text(encoding="utf-8")
    signed = next(node for node in ast.walk(ast.parse(source)) if getattr(node, "name", "") == "_signed")
    lines = [int(write.split(":")[0]) for write in state_writes(source, "Resolution", field)]
    assert all(signed.lineno <= line <= signed.end_lineno for line in lines), lines  # the one move of SIGNING
