"""Fraud and error checks before export and before confirmation: deceased beneficiary, account
shared with an unrelated beneficiary or a staff member, invoice already reimbursed."""
import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from assistance.council.services import resolution_draft_payouts, resolution_sign
from assistance.models import ApplicationMember, ExtraCost, FraudFlag, Payout, SettlementRecord
from assistance.payouts.services import batch_export, flag_override, payout_batch_create, payout_cancel
from fundportal.models import LedgerEntry

from tests.fixtures.council import YEAR, fund, meeting_with_quorum, publicity_end, ready_application
from .helpers import all_paid, mismatches, reconcile

pytestmark = pytest.mark.django_db
SHARED = "6228480099998888777"


def batch_for(secretary, scheme, finance_a):
    resolution = resolution_sign(acting_user=secretary, resolution=resolution_draft_payouts(
        meeting=meeting_with_quorum(secretary), scheme=scheme, acting_user=secretary))
    publicity_end(resolution)
    return payout_batch_create(resolution=resolution, acting_user=finance_a)


def kinds(batch) -> set[tuple[str, str]]:
    return {(f.payout.application.number, f.kind) for f in FraudFlag.objects.filter(payout__batch=batch)}


def test_a_deceased_beneficiary_stops_the_export_and_cannot_be_overridden(
        secretary, clerk, town, scheme, finance_a, finance_b):
    fund("100000", finance_a)
    application = ready_application(clerk, town, out_of_pocket="55000")
    batch = batch_for(secretary, scheme, finance_a)
    person = application.person
    person.is_deceased, person.died_on = True, dt.date(YEAR, 5, 2)
    person.save()
    with pytest.raises(ValidationError, match="受助人已在医保登记为死亡"):
        batch_export(batch=batch, acting_user=finance_a)
    flag = FraudFlag.objects.get()
    assert flag.detail == "医保登记显示受助人已死亡（2023-05-02）"
    with pytest.raises(ValidationError, match="不能放行"):
        flag_override(flag=flag, acting_user=finance_b, reason="家属代领")
    assert Payout.objects.get().state == Payout.State.PENDING
    payout_cancel(payout=Payout.objects.get(), acting_user=finance_a, reason="受助人已去世")
    with pytest.raises(ValidationError, match="没有待提交银行的支付"):
        batch_export(batch=batch, acting_user=finance_a)


def test_an_account_shared_by_unrelated_beneficiaries_is_flagged_and_needs_an_override(
        secretary, clerk, town, scheme, finance_a, finance_b):
    fund("100000", finance_a)
    first = ready_application(clerk, town, out_of_pocket="55000", account=SHARED)
    second = ready_application(clerk, town, out_of_pocket="35000", account=SHARED)
    batch = batch_for(secretary, scheme, finance_a)
    assert kinds(batch) == {(first.number, "shared_account"), (second.number, "shared_account")}
    with pytest.raises(ValidationError, match="银行账号与其他无亲属关系的受助人相同"):
        batch_export(batch=batch, acting_user=finance_a)
    flags = list(FraudFlag.objects.all())
    with pytest.raises(ValidationError, match="须写明理由"):
        flag_override(flag=flags[0], acting_user=finance_b, reason=" ")
    with pytest.raises(PermissionDenied, match="由其他人核实放行"):
        flag_override(flag=flags[0], acting_user=finance_a, reason="已核实")
    with pytest.raises(PermissionDenied):
        flag_override(flag=flags[0], acting_user=clerk, reason="已核实")
    for flag in flags:
        flag_override(flag=flag, acting_user=finance_b, reason="村委会证明二人为同住的叔侄，由侄子代收")
    batch_export(batch=batch, acting_user=finance_a)
    assert Payout.objects.filter(state="sent").count() == 2
    reconcile(batch, all_paid(batch), finance_b)  # checked again before confirming: overridden stays cleared
    assert LedgerEntry.objects.filter(kind="payout").count() == 2


def test_a_declared_family_member_may_share_the_account(secretary, clerk, town, scheme, finance_a):
    fund("100000", finance_a)
    first = ready_application(clerk, town, out_of_pocket="55000", account=SHARED)
    second = ready_application(clerk, town, out_of_pocket="35000", account=SHARED)
    ApplicationMember.objects.create(application=second, name=first.person.name, relation="配偶",
                                     resident_id=first.person.resident_id)
    batch = batch_for(secretary, scheme, finance_a)
    assert kinds(batch) == set()
    batch_export(batch=batch, acting_user=finance_a)


def test_a_staff_members_account_is_flagged(secretary, clerk, town, scheme, finance_a, finance_b):
    fund("100000", finance_a)
    clerk.bank_account = SHARED
    clerk.save()
    application = ready_application(clerk, town, out_of_pocket="55000", account=SHARED)
    batch = batch_for(secretary, scheme, finance_a)
    assert kinds(batch) == {(application.number, "staff_account")}
    assert str(clerk) in FraudFlag.objects.get().detail  # staff named as every page names them


def test_an_invoice_already_reimbursed_through_the_msb_is_flagged(secretary, clerk, town, scheme, finance_a,
                                                                  finance_b):
    fund("100000", finance_a)
    application = ready_application(clerk, town, out_of_pocket="35000")
    SettlementRecord.objects.create(year=YEAR, settlement_no="JS20230001", person=application.person,
                                    settled_on=dt.date(YEAR, 3, 1), institution="瑞安市人民医院",
                                    total_cost=Decimal("9000"), out_of_pocket=Decimal("3000"))
    ExtraCost.objects.create(application=application, institution="瑞安市人民医院", invoice_number="JS20230001",
                             paid_on=dt.date(YEAR, 3, 1), amount=Decimal("3000"))
    batch = batch_for(secretary, scheme, finance_a)
    assert kinds(batch) == {(application.number, "reused_invoice")}
    with pytest.raises(ValidationError, match="不能放行"):
        flag_override(flag=FraudFlag.objects.get(), acting_user=finance_b, reason="已核实")


def test_checks_run_again_before_confirmation(secretary, clerk, town, scheme, finance_a, finance_b):
    fund("100000", finance_a)
    application = ready_application(clerk, town, out_of_pocket="55000")
    batch = batch_for(secretary, scheme, finance_a)
    batch_export(batch=batch, acting_user=finance_a)
    application.person.is_deceased = True
    application.person.save()
    result = reconcile(batch, all_paid(batch), finance_b)
    assert result.paid == 0 and "受助人已在医保登记为死亡" in list(mismatches(result).values())[0]
    assert LedgerEntry.objects.filter(kind="payout").count() == 0
    # The money has left the bank: the record follows what happened, with the reason kept.
    flag = FraudFlag.objects.get()
    flag_override(flag=flag, acting_user=finance_b, reason="银行已入账，已通知家属退回，另行追缴")
    assert reconcile(batch, all_paid(batch), finance_b).paid == 1
