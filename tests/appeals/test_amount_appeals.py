"""A family disagreeing with its amount asks for a review: the council's secretary who did not sign
the resolution decides it; reopened, the application goes back to costing, the council's next
resolution (an ordinary one or one amending the first) costs it again and replaces the old item,
and the family is paid once, the new amount — never the old one as well."""
import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from assistance.appeals.selectors import appeal_refusal
from assistance.appeals.services import appeal_decide, appeal_file, appeal_submit_online
from assistance.council.selectors import items_in_force
from assistance.council.services import resolution_draft_payouts, resolution_sign
from assistance.models import Appeal, Application, ExtraCost, Payout
from assistance.publicity.selectors import item_hold_reason
from assistance.payouts.services import batch_export, payout_batch_create, payout_confirm_paid
from fundportal.models import LedgerEntry
from tests.fixtures.council import YEAR, meeting_with_quorum

from .conftest import GROUNDS, publicity_ended

pytestmark = pytest.mark.django_db
D = Decimal


def pay(resolution, finance_a, finance_b) -> list[Payout]:
    """Batch, export and confirm every payout the resolution lets go now."""
    batch = payout_batch_create(resolution=resolution, acting_user=finance_a)
    batch_export(batch=batch, acting_user=finance_a, file_format="csv")
    payouts = list(batch.payouts.order_by("id"))
    for payout in payouts:
        payout_confirm_paid(payout=payout, acting_user=finance_b)
    return payouts


@pytest.mark.parametrize("amending", [False, True], ids=["next-resolution", "amending-resolution"])
def test_approved_reviewed_reopened_costed_again_and_paid_once(approved_apps, clerk, secretary, secretary_b, scheme,
                                                              finance_a, finance_b, amending):
    resolution, first, second = approved_apps
    appeal = appeal_file(application=first, grounds="外省住院费用 1 万元未计入，请求重新测算", acting_user=clerk)
    old_item = items_in_force().get(application=first)
    assert (appeal.kind, appeal.item, appeal.review_case) == (Appeal.Kind.AMOUNT, old_item, None)

    appeal = appeal_decide(appeal=appeal, acting_user=secretary_b, reopen=True,
                           reason="外省住院发票属实，撤销原决定，退回重新测算")
    first.refresh_from_db()
    assert (appeal.state, first.state) == (Appeal.State.REOPENED, Application.State.READY)

    # Until the council decides again, the old decision is not paid: the first resolution's batch
    # pays only the other family.
    publicity_ended(resolution)
    paid = pay(resolution, finance_a, finance_b)
    assert [p.application_id for p in paid] == [second.pk]

    # The missing invoice, as the review found it (an application's costs are the clerk's desk).
    ExtraCost.objects.create(application=first, institution="上海瑞金医院", invoice_number="31000099001",
                             paid_on=dt.date(YEAR, 7, 1), amount=D("10000"))
    draft = resolution_draft_payouts(meeting=meeting_with_quorum(secretary), scheme=scheme, acting_user=secretary,
                                     amends=resolution if amending else None,
                                     applications=[first] if amending else None)
    assert [item.application_id for item in draft.items.all()] == [first.pk]
    again = resolution_sign(resolution=draft, acting_user=secretary)
    new_item = items_in_force().get(application=first)
    assert new_item.resolution == again and new_item.amount == D("42000.00")  # (55,000 + 10,000 − 5,000) × 70 %
    first.refresh_from_db()
    assert first.state == Application.State.APPROVED

    publicity_ended(again)
    with pytest.raises(ValidationError):  # the old decision stays unpaid: replaced
        payout_batch_create(resolution=resolution, acting_user=finance_a)
    paid = pay(again, finance_a, finance_b)
    assert [(p.application_id, p.amount) for p in paid] == [(first.pk, D("42000.00"))]
    first.refresh_from_db()
    assert first.state == Application.State.PAID
    assert list(Payout.objects.filter(application=first, state=Payout.State.PAID).values_list("amount", flat=True)) \
        == [D("42000.00")]
    assert LedgerEntry.objects.filter(kind=LedgerEntry.Kind.PAYOUT).count() == 2  # one per family
    assert "救助金已经发放" in appeal_refusal(first)


def test_a_rejection_by_the_council_can_be_reviewed_too(approved_apps, secretary, secretary_b, clerk, scheme, finance_a):
    from tests.fixtures.council import ready_application

    rejected = ready_application(clerk, approved_apps[1].region, out_of_pocket="6000")  # 700: approved_apps
    draft = resolution_draft_payouts(meeting=meeting_with_quorum(secretary), scheme=scheme, acting_user=secretary)
    from assistance.council.services import resolution_item_reject
    resolution_item_reject(item=draft.items.get(application=rejected), reason="申请材料不全", acting_user=secretary)
    resolution_sign(resolution=draft, acting_user=secretary)
    rejected.refresh_from_db()
    assert rejected.state == Application.State.REJECTED
    appeal = appeal_submit_online(application=rejected, grounds="材料已补齐，请求重新审议")
    assert appeal.kind == Appeal.Kind.AMOUNT
    appeal_decide(appeal=appeal, acting_user=secretary_b, reopen=True, reason="材料已补齐，退回重新测算")
    rejected.refresh_from_db()
    assert rejected.state == Application.State.READY


def test_the_secretary_who_signed_cannot_decide_its_review(approved_apps, secretary):
    appeal = appeal_submit_online(application=approved_apps[1], grounds=GROUNDS)
    with pytest.raises(PermissionDenied, match="原决定（签署决议）由您作出"):
        appeal_decide(appeal=appeal, acting_user=secretary, reopen=True, reason="退回重新测算金额")
    assert Application.objects.get(pk=approved_apps[1].pk).state == Application.State.APPROVED


@pytest.mark.parametrize("persona", ["clerk", "cab_city", "msb", "finance_a", "auditor"])
def test_only_the_councils_secretary_decides_an_amount_review(request, approved_apps, persona):
    appeal = appeal_submit_online(application=approved_apps[1], grounds=GROUNDS)
    with pytest.raises(PermissionDenied, match="没有办理对救助金额申请复核的权限"):
        appeal_decide(appeal=appeal, acting_user=request.getfixturevalue(persona), reopen=True,
                      reason="退回重新测算金额")


def test_no_amount_review_once_the_money_is_on_its_way(approved_apps, finance_a, clerk):
    resolution, first, _second = approved_apps
    publicity_ended(resolution)
    payout_batch_create(resolution=resolution, acting_user=finance_a)
    refusal = appeal_refusal(first)
    assert "已进入发放程序或已经发放" in refusal and "更正决议" in refusal  # and what to do instead
    with pytest.raises(ValidationError, match="已进入发放程序"):
        appeal_file(application=first, grounds=GROUNDS, acting_user=clerk)


@pytest.mark.parametrize("reopen", [True, False], ids=["reopened", "upheld"])
def test_an_open_review_of_the_amount_holds_the_payment_until_decided(approved_apps, finance_a, finance_b,
                                                                      secretary_b, reopen):
    """The batch leaves the family out while its review is open (and export would refuse it), so
    the review can still reopen the amount; upheld, the next batch pays the amount resolved."""
    resolution, first, second = approved_apps
    appeal = appeal_submit_online(application=first, grounds=GROUNDS)
    publicity_ended(resolution)
    item = items_in_force().get(application=first)
    assert item_hold_reason(item) == "家庭已对救助金额申请复核，复核办结前暂缓发放"
    assert [p.application_id for p in pay(resolution, finance_a, finance_b)] == [second.pk]

    appeal_decide(appeal=appeal, acting_user=secretary_b, reopen=reopen,
                  reason="退回重新测算金额" if reopen else "测算无误，维持原决定")
    first.refresh_from_db()
    if reopen:
        assert first.state == Application.State.READY
        with pytest.raises(ValidationError):  # the old amount is never paid
            payout_batch_create(resolution=resolution, acting_user=finance_a)
    else:
        assert item_hold_reason(item) is None
        assert [p.application_id for p in pay(resolution, finance_a, finance_b)] == [first.pk]
