"""A page offers an action only when the action can be performed: the batch button on a
resolution that can still make a batch, by someone allowed to; the bank-result upload on a batch
whose payouts a result can still change. Otherwise the reason, for those whose work it is — and
the service refuses with that same reason."""
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from assistance.council.services import resolution_draft_payouts
from assistance.models import Payout, PayoutBatch
from assistance.payouts.bank_results import bank_result_import, bank_result_refusal
from assistance.payouts.services import batch_export, payout_batch_create, payout_batch_refusal

from tests.fixtures.council import meeting_with_quorum, ready_application
from .helpers import all_paid, reconcile, result_csv

pytestmark = pytest.mark.django_db


def _resolution_page(client, user, resolution) -> str:
    client.force_login(user)
    return client.get(reverse("admin:assistance_resolution_change", args=[resolution.pk])).content.decode()


def _batch_page(client, user, batch) -> str:
    client.force_login(user)
    return client.get(reverse("admin:assistance_payoutbatch_change", args=[batch.pk])).content.decode()


def test_the_batch_button_shows_only_where_a_batch_can_be_made(client, signed, finance_a, finance_b, secretary):
    resolution = signed[0]
    assert 'id="make-batch"' in _resolution_page(client, finance_a, resolution)
    assert 'id="make-batch"' not in _resolution_page(client, secretary, resolution)  # signed it; not finance
    payout_batch_create(resolution=resolution, acting_user=finance_a)
    page = _resolution_page(client, finance_b, resolution)
    assert 'id="make-batch"' not in page and "批准的救助均已生成支付" in page
    with pytest.raises(ValidationError, match="批准的救助均已生成支付"):
        payout_batch_create(resolution=resolution, acting_user=finance_b)


def test_no_batch_button_on_a_draft(client, signed, finance_a, secretary, clerk, town):
    ready_application(clerk, town, out_of_pocket="20000")
    draft = resolution_draft_payouts(meeting=meeting_with_quorum(secretary), scheme=signed[0].scheme,
                                     acting_user=secretary)
    page = _resolution_page(client, finance_a, draft)
    assert 'id="make-batch"' not in page and 'id="no-batch"' not in page
    assert isinstance(payout_batch_refusal(resolution=draft, acting_user=finance_a), ValidationError)


def test_the_bank_result_upload_shows_only_while_a_result_can_change_something(client, signed, finance_a,
                                                                              finance_b):
    batch = payout_batch_create(resolution=signed[0], acting_user=finance_a)
    page = _batch_page(client, finance_b, batch)
    assert 'id="upload-result"' not in page  # not exported yet: nothing at the bank
    batch_export(batch=batch, acting_user=finance_a)
    assert 'id="upload-result"' in _batch_page(client, finance_b, batch)
    assert 'id="upload-result"' not in _batch_page(client, finance_a, batch)  # prepared it: someone else confirms
    first, second = batch.payouts.order_by("id")
    reconcile(batch, result_csv([(first.reference, f"{first.amount:.2f}", "失败", "账户已销户"),
                                 (second.reference, f"{second.amount:.2f}", "失败", "户名不符")]), finance_b)
    batch.refresh_from_db()
    assert batch.state == PayoutBatch.State.SETTLED
    page = _batch_page(client, finance_b, batch)
    assert 'id="upload-result"' not in page and "无需导入回单" in page  # nothing paid, nothing waiting
    with pytest.raises(ValidationError, match="无需导入回单"):
        bank_result_import(batch=batch, content=all_paid(batch), file_name="again.csv", acting_user=finance_b)


def test_a_reconciled_batch_with_paid_payouts_still_takes_a_later_bank_return(client, signed, finance_a, finance_b):
    batch = payout_batch_create(resolution=signed[0], acting_user=finance_a)
    batch_export(batch=batch, acting_user=finance_a)
    reconcile(batch, all_paid(batch), finance_b)
    batch.refresh_from_db()
    assert batch.state == PayoutBatch.State.SETTLED
    page = _batch_page(client, finance_b, batch)
    assert 'id="bank-return"' in page and 'id="upload-result"' in page  # folded away: only for a return
    paid = batch.payouts.order_by("id").first()
    reconcile(batch, result_csv([(paid.reference, f"{paid.amount:.2f}", "退回", "账户冻结")]), finance_b)
    assert Payout.objects.get(pk=paid.pk).state == Payout.State.RETURNED


def test_the_refusals_name_who_may_not_act(signed, finance_a, secretary):
    batch = payout_batch_create(resolution=signed[0], acting_user=finance_a)
    batch_export(batch=batch, acting_user=finance_a)
    assert isinstance(bank_result_refusal(batch=batch, acting_user=finance_a), PermissionDenied)
    assert isinstance(bank_result_refusal(batch=batch, acting_user=secretary), PermissionDenied)
