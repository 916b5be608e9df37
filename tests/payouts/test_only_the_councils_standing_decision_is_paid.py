"""Money goes out only as the council's standing decision says: a batch or an export made while an
amendment is being signed pays the amended decision, never the one it replaces; a cancelled payout
is not made again by the next batch; and a scheme cannot change once it is before the council."""
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connections

from assistance.council import services as council
from assistance.council.schemes import scheme_new_version, scheme_update
from assistance.council.services import resolution_draft_payouts, resolution_draft_scheme, resolution_sign
from assistance.models import Application, Payout, PayoutBatch
from assistance.payouts.services import batch_export, payout_batch_create, payout_cancel

from tests.fixtures.council import meeting_with_quorum, publicity_end
from .helpers import all_paid, reconcile

D = Decimal


def paid_to(application) -> Decimal:
    return sum((p.amount for p in Payout.objects.filter(application=application, state="paid")), D(0))


def amendment(signed, secretary):
    """The first case corrected: other assistance of 10,000 found, so 28,000 instead of 35,000."""
    resolution, first, _second = signed
    Application.objects.filter(pk=first.pk).update(other_assistance=D("10000"))
    draft = resolution_draft_payouts(meeting=resolution.meeting, scheme=resolution.scheme, acting_user=secretary,
                                     amends=resolution, applications=[first])
    assert draft.items.get().amount == D("28000.00")
    return draft


def in_thread(fn, out: list) -> threading.Thread:
    def run():
        try:
            out.append(fn())
        except Exception as exc:  # the test reads what happened
            out.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def pay_everything(resolution, finance_a, finance_b) -> None:
    for batch in PayoutBatch.objects.filter(resolution=resolution):
        if batch.payouts.filter(state__in=["pending", "sent"]).exists():
            batch_export(batch=batch, acting_user=finance_a)
            reconcile(batch, all_paid(batch), finance_b)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_batch_made_while_an_amendment_is_signed_never_pays_the_replaced_decision(
        signed, secretary, finance_a, finance_b, monkeypatch):
    resolution, first, _second = signed
    correction = amendment(signed, secretary)
    reached, go_on = threading.Event(), threading.Event()
    real = council._next_number

    def pause_while_signing(year):  # the amendment is signed up to its number, and waits
        reached.set()
        go_on.wait(20)
        return real(year)

    monkeypatch.setattr(council, "_next_number", pause_while_signing)
    signing, making = [], []
    signer = in_thread(lambda: resolution_sign(resolution=correction, acting_user=secretary), signing)
    reached.wait(20)
    maker = in_thread(lambda: payout_batch_create(resolution=resolution, acting_user=finance_a), making)
    maker.join(2)  # it waits for the amendment's locks
    go_on.set()
    signer.join(25)
    maker.join(25)
    monkeypatch.setattr(council, "_next_number", real)
    pay_everything(resolution, finance_a, finance_b)
    publicity_end(correction)
    payout_batch_create(resolution=correction, acting_user=finance_a)
    pay_everything(correction, finance_a, finance_b)
    assert paid_to(first) == D("28000.00")


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_an_export_while_an_amendment_is_signed_never_sends_the_replaced_decision(
        signed, secretary, finance_a, finance_b, monkeypatch):
    resolution, first, _second = signed
    batch = payout_batch_create(resolution=resolution, acting_user=finance_a)
    correction = amendment(signed, secretary)
    reached, go_on = threading.Event(), threading.Event()
    real = council._next_number

    def pause_while_signing(year):
        reached.set()
        go_on.wait(20)
        return real(year)

    monkeypatch.setattr(council, "_next_number", pause_while_signing)
    signing, exporting = [], []
    signer = in_thread(lambda: resolution_sign(resolution=correction, acting_user=secretary), signing)
    reached.wait(20)
    exporter = in_thread(lambda: batch_export(batch=batch, acting_user=finance_a), exporting)
    exporter.join(2)
    go_on.set()
    signer.join(25)
    exporter.join(25)
    monkeypatch.setattr(council, "_next_number", real)
    assert batch.payouts.get(application=first).state == Payout.State.CANCELLED
    reconcile(batch, all_paid(batch), finance_b)
    publicity_end(correction)
    payout_batch_create(resolution=correction, acting_user=finance_a)
    pay_everything(correction, finance_a, finance_b)
    assert paid_to(first) == D("28000.00")


@pytest.mark.django_db
def test_a_cancelled_payout_is_not_made_again_by_the_next_batch(signed, finance_a):
    resolution, first, _second = signed
    batch = payout_batch_create(resolution=resolution, acting_user=finance_a)
    payout_cancel(payout=batch.payouts.get(application=first), acting_user=finance_a,
                  reason="家属来电：账号已挂失，暂停支付待理事会更正")
    with pytest.raises(ValidationError, match="均已生成支付"):
        payout_batch_create(resolution=resolution, acting_user=finance_a)


@pytest.mark.django_db
def test_a_scheme_before_the_council_cannot_be_edited(secretary, scheme):
    draft = scheme_new_version(scheme=scheme, acting_user=secretary)
    resolution = resolution_draft_scheme(meeting=meeting_with_quorum(secretary), scheme=draft,
                                         acting_user=secretary)
    with pytest.raises(ValidationError, match="已提交理事会审议"):
        scheme_update(scheme=draft, acting_user=secretary, annual_cap=D("500000"))
    resolution_sign(resolution=resolution, acting_user=secretary)
    draft.refresh_from_db()
    assert (draft.annual_cap, draft.is_approved) == (D("50000.00"), True)
