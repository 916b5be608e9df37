"""An entry with an open objection is not paid: the batch leaves it out and an export refuses it,
also when the objection is recorded while the batch is being made. An upheld objection stops the
payment for good, and says why; a dismissed one lets it go."""
import time

import pytest
from django.core.exceptions import ValidationError

from assistance.council.selectors import budget_now
from assistance.models import Objection, Payout
from assistance.payouts.services import batch_export, payout_batch_create
from assistance.publicity.selectors import item_hold_reason, items_held
from assistance.publicity.services import objection_decide, objection_investigate, objection_record
from tests.concurrency import run_concurrently
from tests.fixtures.council import fund, meeting_with_quorum, publicity_end, ready_application
from tests.fixtures.factories import ObjectionFactory

from .helpers import entry_of, yesterday

pytestmark = pytest.mark.django_db


def paid_applications(batch) -> set[int]:
    return set(batch.payouts.values_list("application_id", flat=True))


def test_the_batch_leaves_out_an_entry_with_an_open_objection(signed, objection, finance_a):
    resolution, first, second = signed
    batch = payout_batch_create(resolution=resolution, acting_user=finance_a)
    assert paid_applications(batch) == {second.pk}
    assert item_hold_reason(entry_of(first).item) == "有公示异议正在核查，办结前暂缓发放"


def test_an_objection_under_investigation_still_holds(signed, objection, cab_town, finance_a):
    resolution, first, second = signed
    objection_investigate(objection=objection, acting_user=cab_town, investigation="已入户核查，车辆为亲属借用")
    assert paid_applications(payout_batch_create(resolution=resolution, acting_user=finance_a)) == {second.pk}


def test_a_batch_with_only_held_entries_is_refused_with_the_reason(signed, objection, clerk, finance_a):
    resolution, _first, second = signed
    objection_record(entry=entry_of(second), channel="visit", content="邻居反映该户已外出务工多年",
                     received_on=yesterday(), acting_user=clerk)
    with pytest.raises(ValidationError, match="暂不能生成支付：有公示异议正在核查"):
        payout_batch_create(resolution=resolution, acting_user=finance_a)
    assert not Payout.objects.exists()


def test_the_export_refuses_a_payout_whose_entry_is_held(signed, finance_a):
    """The services never let an objection in once a payment is prepared; should one be there all
    the same (written around them), the bank file still refuses to carry that payment."""
    resolution, first, _second = signed
    batch = payout_batch_create(resolution=resolution, acting_user=finance_a)
    ObjectionFactory(entry=entry_of(first), state=Objection.State.RECEIVED)
    with pytest.raises(ValidationError, match="以下支付因公示暂缓发放，不能导出") as refused:
        batch_export(batch=batch, acting_user=finance_a)
    assert batch.payouts.get(application=first).reference in str(refused.value)
    assert set(batch.payouts.values_list("state", flat=True)) == {Payout.State.PENDING}  # nothing sent


def test_no_objection_is_recorded_once_the_payment_is_prepared(signed, clerk, finance_a):
    resolution, first, _second = signed
    payout_batch_create(resolution=resolution, acting_user=finance_a)
    with pytest.raises(ValidationError, match="已生成支付，不能再登记公示异议"):
        objection_record(entry=entry_of(first), channel="phone", content="该户家中有经营性车辆",
                         received_on=yesterday(), acting_user=clerk)
    assert not Objection.objects.exists()


def test_an_upheld_objection_stops_the_payment_for_good_and_says_why(signed, objection, cab_town, finance_a):
    resolution, first, second = signed
    decided = objection_decide(objection=objection, acting_user=cab_town, upheld=True,
                               reason="经入户核查，该户有营运货车两辆，家庭收入超过标准")
    assert (decided.state, decided.decided_by, decided.decision_reason) == (
        Objection.State.UPHELD, cab_town, "经入户核查，该户有营运货车两辆，家庭收入超过标准")
    assert decided.history.first().history_change_reason.startswith("异议成立：经入户核查")
    assert paid_applications(payout_batch_create(resolution=resolution, acting_user=finance_a)) == {second.pk}
    with pytest.raises(ValidationError, match="公示异议成立，停止发放"):  # a later batch: still not
        payout_batch_create(resolution=resolution, acting_user=finance_a)
    assert item_hold_reason(entry_of(first).item) == "公示异议成立，停止发放"
    with pytest.raises(ValidationError, match="当前状态为“异议成立”"):  # and it is not reopened
        objection_decide(objection=objection, acting_user=cab_town, upheld=False, reason="重新核查后认为不成立")


def test_a_stopped_payment_no_longer_holds_the_councils_budget(signed, objection, cab_town):
    """The available balance the council signs against counts approved-but-unpaid amounts; one an
    upheld objection stopped will not be paid, so it is released (an open one still holds)."""
    _resolution, first, _second = signed
    held_before = budget_now().held
    objection_decide(objection=objection, acting_user=cab_town, upheld=True,
                     reason="经入户核查，该户有营运货车两辆，家庭收入超过标准")
    assert budget_now().held == held_before - entry_of(first).item.amount


def test_a_dismissed_objection_lets_the_payment_go(signed, objection, cab_town, finance_a):
    resolution, first, second = signed
    objection_decide(objection=objection, acting_user=cab_town, upheld=False,
                     reason="车辆登记在已分户的儿子名下，不影响认定")
    assert paid_applications(payout_batch_create(resolution=resolution, acting_user=finance_a)) == {
        first.pk, second.pk}


def test_one_dismissed_and_one_open_objection_still_hold(signed, objection, clerk, cab_town, finance_a):
    resolution, first, second = signed
    objection_record(entry=entry_of(first), channel="letter", content="再次反映该户有经营收入",
                     received_on=yesterday(), acting_user=clerk)
    objection_decide(objection=objection, acting_user=cab_town, upheld=False, reason="车辆不属于该户")
    assert paid_applications(payout_batch_create(resolution=resolution, acting_user=finance_a)) == {second.pk}


def test_items_held_agrees_with_the_reason_given(signed, objection):
    resolution, first, second = signed
    held = set(items_held(resolution.items.all()).values_list("application_id", flat=True))
    assert held == {first.pk}
    assert item_hold_reason(entry_of(second).item) is None


# ------------------------------------------------------------------------------------ the race

def _resolution_ready(secretary, clerk, town, scheme, finance_a):
    """A new resolution of two applications, its 公示 over: one race's ground."""
    from assistance.council.services import resolution_draft_payouts, resolution_sign

    fund("60000", finance_a)
    first = ready_application(clerk, town, out_of_pocket="55000")
    second = ready_application(clerk, town, out_of_pocket="35000")
    resolution = resolution_sign(resolution=resolution_draft_payouts(
        meeting=meeting_with_quorum(secretary), scheme=scheme, acting_user=secretary), acting_user=secretary)
    publicity_end(resolution)
    return resolution, first, second


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("order", ["race", "race again", "batch holds its locks", "objection holds its lock"])
def test_an_objection_racing_the_batch_is_either_held_or_refused_never_both(
        order, monkeypatch, secretary, clerk, town, scheme, finance_a):
    """Two real threads: the clerk records an objection against the first entry while finance
    makes the batch. Plain races, and the two interleavings forced: one side pauses inside its
    transaction, locks held, while the other starts a moment later and must wait for it."""
    from assistance.payouts import services as payouts
    from assistance.publicity import services as publicity

    resolution, first, second = _resolution_ready(secretary, clerk, town, scheme, finance_a)
    entry = entry_of(first)
    late = {"batch holds its locks": 0, "objection holds its lock": 1}.get(order)  # who starts late
    if late == 0:
        real_items = payouts._items_to_pay
        monkeypatch.setattr(payouts, "_items_to_pay", lambda resolution: time.sleep(0.6) or real_items(resolution))
    elif late == 1:
        real_number = publicity.case_number_next
        monkeypatch.setattr(publicity, "case_number_next", lambda *args: time.sleep(0.6) or real_number(*args))

    def act(index):
        if index == late:
            time.sleep(0.2)
        if index == 0:
            return objection_record(entry=entry, channel="phone", content="该户有经营性收入未申报",
                                    received_on=yesterday(), acting_user=clerk)
        return payout_batch_create(resolution=resolution, acting_user=finance_a)

    objection, batch = run_concurrently(act, 2)
    assert not isinstance(batch, Exception), batch
    if isinstance(objection, Objection):  # recorded first: the batch left the entry out
        assert late != 0, "the objection got in while the batch held the entry's lock"
        assert paid_applications(batch) == {second.pk}
        assert Objection.objects.get().state == Objection.State.RECEIVED
    else:  # the batch came first: the objection is refused, nothing holds money already on its way
        assert late != 1, "the batch went past an objection being recorded"
        assert isinstance(objection, ValidationError) and "已生成支付" in str(objection), objection
        assert paid_applications(batch) == {first.pk, second.pk}
        assert not Objection.objects.exists()
    assert not (Objection.objects.filter(entry=entry).exists() and Payout.objects.filter(item=entry.item).exists())
