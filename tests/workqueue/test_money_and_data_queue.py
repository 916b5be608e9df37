"""The council's, the finance staff's, the bureau's and the clerk's work on their queues: what
waits, only for who does it (never the preparer for the bank's results, never the signer), counted
as the database counts it, each link showing exactly those rows."""
import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from assistance.models import Application, Payout, PayoutBatch, Resolution, ScreeningRun, SettlementImport
from disclosure.models import Statement
from fundportal.notices.models import Notice
from tests.fixtures.factories import (ApplicationFactory, DonationFactory, FraudFlagFactory, MeetingFactory,
                                      NoticeFactory, PayoutFactory, PledgeInstalmentFactory, ResolutionFactory,
                                      ResolutionItemFactory, ScreeningRunFactory, SettlementImportFactory,
                                      StatementFactory)

from .helpers import days_ago, items_of, shown

pytestmark = pytest.mark.django_db


def pks(*rows):
    return {row.pk for row in rows}


# ----------------------------------------------------------------------------------------- council

def test_the_secretary_costs_the_ready_applications_no_draft_lists(secretary, finance, cab_city):
    waiting = ApplicationFactory(submitted_at=timezone.now() - dt.timedelta(days=9))
    deferred = ApplicationFactory()  # deferred by a signed resolution: ready again, for the next one
    ResolutionItemFactory(application=deferred, decision="defer", amount=0)
    in_a_draft = ApplicationFactory()
    ResolutionItemFactory(application=in_a_draft)
    ApplicationFactory(state=Application.State.UNDER_REVIEW)
    costing = items_of(secretary)["applications.costing"]
    assert (costing.count, costing.oldest) == (1, days_ago(9))  # the deferred one is in a draft too, so far
    assert shown(secretary, costing.url) == pks(waiting)
    Resolution.objects.filter(items__application=deferred).update(signed_at=timezone.now(), signed_by=secretary,
                                                                  year=2023, sequence=1, approved=0)
    assert shown(secretary, items_of(secretary)["applications.costing"].url) == pks(waiting, deferred)
    for user in (finance, cab_city):
        assert "applications.costing" not in items_of(user)


def test_resolutions_the_meeting_held_wait_for_the_secretarys_signature(secretary, finance):
    adopted = ResolutionFactory(meeting=MeetingFactory(held_on=days_ago(3)))
    ResolutionFactory(meeting=MeetingFactory(held_on=days_ago(-7)))  # the meeting is still to come
    sign = items_of(secretary)["council.sign"]
    assert (sign.count, sign.oldest) == (1, days_ago(3))
    assert shown(secretary, sign.url) == pks(adopted)
    assert "council.sign" not in items_of(finance)


# ----------------------------------------------------------------------------------------- payouts

@pytest.fixture
def batches(finance_a, finance_b, secretary):
    prepared = PayoutFactory(batch__prepared_by=finance_a).batch
    exported = PayoutFactory(batch__prepared_by=finance_a, batch__state=PayoutBatch.State.EXPORTED,
                             batch__exported_at=timezone.now(), state=Payout.State.SENT).batch
    by_b = PayoutFactory(batch__prepared_by=finance_b, batch__state=PayoutBatch.State.EXPORTED,
                         batch__exported_at=timezone.now() - dt.timedelta(days=2), state=Payout.State.SENT).batch
    all_cancelled = PayoutFactory(batch__prepared_by=finance_a, state=Payout.State.CANCELLED,
                                  cancel_reason="受助人已死亡").batch
    return {"prepared": prepared, "exported": exported, "by_b": by_b, "all_cancelled": all_cancelled}


def test_batches_to_export_wait_for_finance(batches, finance_a, finance_b, secretary, clerk):
    for user in (finance_a, finance_b):
        export = items_of(user)["payouts.export"]
        assert export.count == 1 and shown(user, export.url) == pks(batches["prepared"])
    for user in (secretary, clerk):
        assert "payouts.export" not in items_of(user)


def test_bank_results_wait_for_someone_other_than_the_preparer(batches, finance_a, finance_b):
    assert shown(finance_b, items_of(finance_b)["payouts.confirm"].url) == pks(batches["exported"])
    confirm_a = items_of(finance_a)["payouts.confirm"]
    assert (confirm_a.count, confirm_a.oldest) == (1, days_ago(2))
    assert shown(finance_a, confirm_a.url) == pks(batches["by_b"])


def test_risk_flags_wait_for_someone_other_than_the_preparer(finance_a, finance_b, msb):
    open_flag = FraudFlagFactory(payout__batch__prepared_by=finance_a)
    FraudFlagFactory(payout__batch__prepared_by=finance_a, overridden_by=finance_b, overridden_at=timezone.now(),
                     override_reason="经核实为夫妻共用账户")
    FraudFlagFactory(payout__batch__prepared_by=finance_a, payout__state=Payout.State.CANCELLED,
                     payout__cancel_reason="受助人已死亡")
    flags = items_of(finance_b)["payouts.flags"]
    assert flags.count == 1 and shown(finance_b, flags.url) == pks(open_flag)
    assert "payouts.flags" not in items_of(finance_a) and "payouts.flags" not in items_of(msb)


def test_the_clerk_hears_of_failed_payments_of_the_applications_they_entered(clerk, clerk_b, finance_a):
    failed = PayoutFactory(item__application__entered_by=clerk, state=Payout.State.FAILED,
                           bank_message="户名与账号不符")
    reissued = PayoutFactory(item__application__entered_by=clerk, state=Payout.State.FAILED)
    PayoutFactory(batch__prepared_by=finance_a, item=reissued.item, application=reissued.application,
                  reissue_of=reissued, reference="REISSUE-1")
    others = PayoutFactory(item__application__entered_by=clerk_b, state=Payout.State.FAILED)
    PayoutFactory(item__application__entered_by=clerk)  # still waiting for the bank
    item = items_of(clerk)["applications.payment_failed"]
    assert item.count == 1 and item.url.startswith("/workspace/")
    assert shown(clerk, item.url) == {failed.application_id}
    assert shown(clerk_b, items_of(clerk_b)["applications.payment_failed"].url) == {others.application_id}


# -------------------------------------------------------------------------------- donations, statements

def test_pledge_instalments_in_arrears_wait_for_finance(finance, msb):
    late = PledgeInstalmentFactory(due_on=days_ago(10), amount=Decimal("600000.00"))
    DonationFactory(instalment=late, amount=Decimal("100000.00"))  # part of it arrived
    paid = PledgeInstalmentFactory(due_on=days_ago(40), amount=Decimal("50000.00"))
    DonationFactory(instalment=paid, amount=Decimal("50000.00"))
    cancelled = PledgeInstalmentFactory(due_on=days_ago(5), amount=Decimal("20000.00"))
    DonationFactory(instalment=cancelled, amount=Decimal("20000.00"), status="cancelled", cancel_reason="重复登记")
    PledgeInstalmentFactory(due_on=days_ago(-30))  # not due yet
    arrears = items_of(finance)["donations.arrears"]
    assert (arrears.count, arrears.overdue, arrears.due) == (2, 2, days_ago(10))
    assert shown(finance, arrears.url) == {late.pledge_id, cancelled.pledge_id}
    assert "donations.arrears" not in items_of(msb)


def test_statements_to_publish_or_build_again_wait_for_finance(finance, clerk):
    built = StatementFactory(state=Statement.State.BUILT, built_at=timezone.now())
    failed = StatementFactory(state=Statement.State.FAILED, error="磁盘已满")
    StatementFactory()  # queued: on its way
    items = items_of(finance)
    assert shown(finance, items["disclosure.publish"].url) == pks(built)
    assert shown(finance, items["disclosure.rebuild"].url) == pks(failed)
    assert not [key for key in items_of(clerk) if key.startswith("disclosure.")]


# ------------------------------------------------------------------------------------------------ MSB

def test_the_bureau_fixes_failed_imports_and_shares_finished_runs(msb, cab_city):
    failed = SettlementImportFactory(state=SettlementImport.State.FAILED, year=2023)
    SettlementImportFactory(state=SettlementImport.State.DONE, rows_rejected=3, year=2022)  # fixed by the next
    later = SettlementImportFactory(state=SettlementImport.State.DONE, rows_rejected=1, year=2022)
    SettlementImportFactory(state=SettlementImport.State.DONE, year=2021)
    older = ScreeningRunFactory(year=2022)
    newest = ScreeningRunFactory(year=2022)
    ScreeningRunFactory(year=2021, shared_at=timezone.now())
    ScreeningRunFactory(year=2023, state=ScreeningRun.State.RUNNING, finished_at=None)
    items = items_of(msb)
    assert shown(msb, items["intake.imports"].url) == pks(failed, later)
    assert shown(msb, items["intake.share"].url) == pks(newest)
    assert older.pk not in shown(msb, items["intake.share"].url)
    assert not [key for key in items_of(cab_city) if key.startswith("intake.")]


# -------------------------------------------------------------------------------------------- notices

def test_notices_that_failed_or_were_cut_off_wait_for_who_sends_them_again(clerk, finance, cab_village):
    failed = NoticeFactory(state=Notice.State.FAILED, attempts=5, provider_reply="模板未审核通过")
    cut_off = NoticeFactory(state=Notice.State.UNCERTAIN, attempts=1)
    NoticeFactory(state=Notice.State.SENT, sent_at=timezone.now())
    NoticeFactory()  # pending: on its way
    for user in (clerk, finance):
        resend = items_of(user)["notices.resend"]
        assert resend.count == 2 and shown(user, resend.url) == pks(failed, cut_off)
    assert "notices.resend" not in items_of(cab_village)


# ------------------------------------------------------------------------------------- administrators

def test_administrators_see_failed_jobs_not_the_funds_work(administrator, admin_user, finance):
    StatementFactory(state=Statement.State.FAILED, error="磁盘已满")
    ApplicationFactory()
    for user in (administrator, admin_user):
        items = items_of(user)
        assert list(items) == ["system.failed.disclosure.statement"]
        assert shown(user, items["system.failed.disclosure.statement"].url) == set(
            Statement.objects.filter(state=Statement.State.FAILED).values_list("pk", flat=True))
    assert "system.failed.disclosure.statement" not in items_of(finance)
