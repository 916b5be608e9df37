"""Payouts: batches exactly as resolved, bank files both ways, reconciliation that pays each
payout once, never more and never below zero, re-issues, and who may do what."""
import csv
import io
from decimal import Decimal

import pytest
from celery.exceptions import Retry
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import load_workbook

from assistance.models import Application, BankResult, Payout, PayoutBatch
from assistance.payouts.bank_results import bank_result_apply
from assistance.payouts.services import (batch_export, payout_batch_create, payout_cancel, payout_confirm_paid,
                                         payout_reissue)
from fundportal.models import ExportLog, FundAccount, LedgerEntry
from fundportal.roles import Role
from fundportal.services import fund_account_main, ledger_post_income, ledger_reverse

from .helpers import all_paid, mismatches, reconcile, result_csv

pytestmark = pytest.mark.django_db
D = Decimal


def balance() -> Decimal:
    return FundAccount.objects.get(pk=fund_account_main().pk).balance


def payout_entries() -> int:
    return LedgerEntry.objects.filter(kind=LedgerEntry.Kind.PAYOUT).count()


def with_role(user, role: Role):
    """The user with one more role (fetched again: Django caches a user's permissions)."""
    user.groups.add(Group.objects.get(name=role))
    return type(user).objects.get(pk=user.pk)


@pytest.fixture
def batch(signed, finance_a):
    resolution, _first, _second = signed
    return payout_batch_create(resolution=resolution, acting_user=finance_a)


@pytest.fixture
def exported(batch, finance_a):
    batch_export(batch=batch, acting_user=finance_a, file_format="csv")
    batch.refresh_from_db()
    return batch


def test_a_batch_pays_each_approved_application_exactly_as_resolved(signed, batch, finance_a):
    resolution, first, second = signed
    payouts = {p.application_id: p for p in batch.payouts.all()}
    assert batch.number == "ZF2023-1-1"
    assert (payouts[first.pk].amount, payouts[second.pk].amount) == (D("35000.00"), D("21000.00"))
    assert payouts[first.pk].account_number == first.account_number
    assert {p.reference for p in payouts.values()} == {"ZF2023-1-1-0001", "ZF2023-1-1-0002"}
    with pytest.raises(ValidationError, match="均已生成支付"):
        payout_batch_create(resolution=resolution, acting_user=finance_a)


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_bank_file_round_trip(batch, finance_a, finance_b, file_format):
    name, content = batch_export(batch=batch, acting_user=finance_a, file_format=file_format)
    if file_format == "csv":
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    else:
        rows = [list(row) for row in load_workbook(io.BytesIO(content)).worksheets[0].iter_rows(values_only=True)]
    assert rows[0] == ["参考号", "收款人", "银行账号", "开户银行", "金额（元）", "用途"]
    payouts = list(batch.payouts.order_by("id"))
    assert [row[:5] for row in rows[1:]] == [[p.reference, p.account_holder, p.account_number, p.bank_name,
                                              f"{p.amount:.2f}"] for p in payouts]
    assert name == f"{batch.number}.{file_format}"
    assert ExportLog.objects.get().row_count == 2
    # The bank returns the same references and amounts: every payout is paid, once.
    before = balance()
    bank_rows = [(row[0], row[4], "成功", "") for row in rows[1:]]
    result = reconcile(batch, result_csv(bank_rows), finance_b)
    assert (result.paid, mismatches(result), result.finished_at is not None) == (2, {}, True)
    assert balance() == before - D("56000.00") == D("44000.00")
    assert set(Application.objects.values_list("state", flat=True)) == {"paid"}
    batch.refresh_from_db()
    assert batch.state == PayoutBatch.State.SETTLED
    for payout in batch.payouts.all():
        assert payout.ledger_entry.amount == -payout.amount and payout.ledger_entry.source == payout


def test_the_same_result_file_imported_twice_changes_nothing(exported, finance_b):
    content = all_paid(exported)
    reconcile(exported, content, finance_b)
    state = (balance(), payout_entries(), list(Payout.objects.values_list("state", flat=True)))
    again = reconcile(exported, content, finance_b)
    assert (again.paid, again.unchanged, mismatches(again)) == (0, 2, {})
    assert (balance(), payout_entries(), list(Payout.objects.values_list("state", flat=True))) == state


def test_mismatches_are_listed_and_never_accepted(exported, finance_b):
    first, second = exported.payouts.order_by("id")
    result = reconcile(exported, result_csv([(first.reference, "34999.99", "成功", ""),
                                             ("ZF2099-9-9-0001", "100.00", "成功", ""),
                                             (second.reference, f"{second.amount}", "成功", "")]), finance_b)
    problems = mismatches(result)
    assert problems == {first.reference: "金额不符：银行为 34,999.99 元，应付 35,000.00 元",
                        "ZF2099-9-9-0001": "本批次中没有这个参考号"}
    assert result.paid == 1 and payout_entries() == 1
    first.refresh_from_db()
    assert first.state == Payout.State.SENT


@pytest.mark.parametrize("content, message", [
    ("参考号,金额\nZF1,1.00\n", "缺少列：结果"),
    ("参考号,金额,结果\nZF1,abc,成功\n", "第 2 行：金额“abc”不是有效金额"),
    ("参考号,金额,结果\nZF1,1.00,可能\n", "结果“可能”应为 成功、失败 或 退回"),
    ("参考号,金额,结果\nZF1,-5,成功\n", "不是有效金额"),
    ("参考号,金额,结果\n", "没有回单记录"),
])
def test_an_unreadable_result_file_is_refused_whole(exported, finance_b, content, message):
    with pytest.raises(ValidationError, match=message):
        reconcile(exported, content.encode(), finance_b)
    assert not BankResult.objects.exists() and payout_entries() == 0


def test_a_gbk_result_file_is_read(exported, finance_b):
    text = "参考号,金额,结果,说明\n" + "".join(f"{p.reference},{p.amount},成功,\n" for p in exported.payouts.all())
    assert reconcile(exported, text.encode("gbk"), finance_b).paid == 2


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_confirmations_of_one_payout_post_one_entry(signed, finance_a, finance_b):
    from tests.concurrency import run_concurrently

    batch = payout_batch_create(resolution=signed[0], acting_user=finance_a)
    batch_export(batch=batch, acting_user=finance_a)
    payout = batch.payouts.order_by("id").first()
    results = run_concurrently(lambda _i: payout_confirm_paid(payout=payout, acting_user=finance_b), 20)
    assert sorted(r[0] for r in results) == ["paid"] + ["unchanged"] * 19
    assert LedgerEntry.objects.filter(kind="payout").count() == 1
    assert balance() == D("100000.00") - payout.amount


def test_a_confirmation_that_would_overdraw_is_refused(secretary, clerk, town, scheme, finance_a, finance_b):
    from assistance.council.services import resolution_draft_payouts, resolution_sign

    from tests.fixtures.council import meeting_with_quorum, publicity_end, ready_application

    ledger_post_income(amount=D("50000"), source=finance_a, memo="捐赠", acting_user=finance_a)
    late = ledger_post_income(amount=D("10000"), source=finance_a, memo="捐赠", acting_user=finance_a)
    ready_application(clerk, town, out_of_pocket="55000")
    ready_application(clerk, town, out_of_pocket="35000")
    resolution = resolution_sign(acting_user=secretary, resolution=resolution_draft_payouts(
        meeting=meeting_with_quorum(secretary), scheme=scheme, acting_user=secretary))
    assert resolution.approved == D("56000.00")
    publicity_end(resolution)
    ledger_reverse(entry=late, reason="捐赠款项退回捐赠人", acting_user=finance_a)  # the fund now has 50,000
    batch = payout_batch_create(resolution=resolution, acting_user=finance_a)
    batch_export(batch=batch, acting_user=finance_a)
    result = reconcile(batch, all_paid(batch), finance_b)
    assert result.paid == 1 and "基金余额为负" in list(mismatches(result).values())[0]
    assert balance() == D("15000.00")
    assert Payout.objects.filter(state="sent").count() == 1


def test_separation_of_duties(signed, batch, finance_a, finance_b, secretary):
    batch_export(batch=batch, acting_user=finance_a)
    with pytest.raises(PermissionDenied, match="本批次由您制单"):
        reconcile(batch, all_paid(batch), finance_a)
    with pytest.raises(PermissionDenied, match="本批次由您制单"):
        payout_confirm_paid(payout=batch.payouts.first(), acting_user=finance_a)
    # The secretary who signed, even with finance's role, neither prepares nor confirms.
    secretary = with_role(secretary, Role.CHARITY_FINANCE)
    with pytest.raises(PermissionDenied, match="您签署了依据的决议"):
        payout_confirm_paid(payout=batch.payouts.first(), acting_user=secretary)
    # The clerk who entered a case, even with finance's role, does not pay it.
    clerk = with_role(batch.payouts.first().application.entered_by, Role.CHARITY_FINANCE)
    with pytest.raises(PermissionDenied, match="您本人录入的申请"):
        payout_confirm_paid(payout=batch.payouts.first(), acting_user=clerk)
    assert payout_entries() == 0
    assert reconcile(batch, all_paid(batch), finance_b).paid == 2


def test_a_signer_with_finance_role_cannot_prepare_the_batch(signed, secretary):
    secretary = with_role(secretary, Role.CHARITY_FINANCE)
    with pytest.raises(PermissionDenied, match="您签署了依据的决议"):
        payout_batch_create(resolution=signed[0], acting_user=secretary)


@pytest.mark.parametrize("persona", ["secretary", "clerk", "msb", "auditor"])
def test_other_roles_handle_no_payouts(request, persona, signed, finance_a):
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        payout_batch_create(resolution=signed[0], acting_user=user)
    batch = payout_batch_create(resolution=signed[0], acting_user=finance_a)
    with pytest.raises(PermissionDenied):
        batch_export(batch=batch, acting_user=user)


def test_a_failed_payout_is_reissued_to_a_corrected_account_and_pays_once(exported, finance_a, finance_b):
    first, second = exported.payouts.order_by("id")
    result = reconcile(exported, result_csv([(first.reference, f"{first.amount}", "失败", "户名与账号不符"),
                                             (second.reference, f"{second.amount}", "成功", "")]), finance_b)
    assert (result.paid, result.failed) == (1, 1)
    first.refresh_from_db()
    assert (first.state, first.bank_message) == (Payout.State.FAILED, "户名与账号不符")
    with pytest.raises(ValidationError, match="正确的银行账号"):
        payout_reissue(payout=first, acting_user=finance_a, account_holder="李一", bank_name="农行",
                       account_number="12ab")
    reissue = payout_reissue(payout=first, acting_user=finance_a, account_holder=first.account_holder,
                             bank_name="中国农业银行瑞安支行", account_number="6228 4800 1234 5678 999")
    assert (reissue.reissue_of, reissue.amount, reissue.account_number) == (first, first.amount, "6228480012345678999")
    assert reissue.batch.number == "ZF2023-1-2"
    with pytest.raises(ValidationError, match="已经重新支付过"):
        payout_reissue(payout=first, acting_user=finance_a, account_holder="李一", bank_name="农行",
                       account_number="6228480012345678999")
    batch_export(batch=reissue.batch, acting_user=finance_a)
    reconcile(reissue.batch, all_paid(reissue.batch), finance_b)
    assert payout_entries() == 2 and balance() == D("44000.00")
    with pytest.raises(ValidationError, match="只有支付失败或被退回"):
        payout_reissue(payout=second, acting_user=finance_a, account_holder="李二", bank_name="农行",
                       account_number="6228480012345678999")


def test_returned_money_is_a_reversing_entry(exported, finance_b):
    reconcile(exported, all_paid(exported), finance_b)
    first = exported.payouts.order_by("id").first()
    result = reconcile(exported, result_csv([(first.reference, f"{first.amount}", "退回", "账户已销户")]), finance_b)
    assert result.returned == 1
    first.refresh_from_db()
    assert first.state == Payout.State.RETURNED and first.reversal_entry.reverses == first.ledger_entry
    assert balance() == D("79000.00")  # 100,000 − 21,000
    assert first.application.__class__.objects.get(pk=first.application_id).state == Application.State.APPROVED


def test_a_crash_in_the_middle_of_a_file_is_picked_up_where_it_stopped(exported, finance_b, monkeypatch):
    from assistance.payouts import bank_results as payouts

    real, calls = payouts._apply_line, []

    def crash_on_second_line(line):
        calls.append(line.reference)
        if len(calls) == 2:
            raise RuntimeError("worker killed")
        return real(line)

    monkeypatch.setattr(payouts, "_apply_line", crash_on_second_line)
    with pytest.raises((RuntimeError, Retry)):  # eager Celery reports the retry it would schedule
        reconcile(exported, all_paid(exported), finance_b)
    result = BankResult.objects.get()
    assert result.finished_at is None and payout_entries() == 1
    monkeypatch.setattr(payouts, "_apply_line", real)
    bank_result_apply(result_id=result.pk)  # the retried task
    bank_result_apply(result_id=result.pk)  # and once more
    result.refresh_from_db()
    assert (result.paid, result.unchanged, result.mismatched, mismatches(result)) == (2, 0, 0, {})
    assert payout_entries() == 2 and balance() == D("44000.00")


def test_a_pending_payout_can_be_cancelled_with_a_reason(batch, finance_a):
    payout = batch.payouts.first()
    with pytest.raises(ValidationError, match="须写明原因"):
        payout_cancel(payout=payout, acting_user=finance_a, reason="")
    payout_cancel(payout=payout, acting_user=finance_a, reason="受助人已去世，待理事会更正")
    payout.refresh_from_db()
    assert payout.state == Payout.State.CANCELLED


def test_the_banks_day_is_the_ledger_entrys_business_date(exported, finance_b):
    import datetime as dt

    first, second = exported.payouts.order_by("id")
    content = ("参考号,金额,结果,说明,交易日期\n"
               f"{first.reference},{first.amount},成功,,2023/3/28\n{second.reference},{second.amount},成功,,\n")
    reconcile(exported, content.encode(), finance_b)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.ledger_entry.booked_on == dt.date(2023, 3, 28)
    from django.utils import timezone

    assert second.ledger_entry.booked_on == timezone.localdate()  # no date: the day of import
    with pytest.raises(ValidationError, match="日期“2099-01-01”无效或晚于今天"):
        reconcile(exported, f"参考号,金额,结果,日期\n{first.reference},{first.amount},成功,2099-01-01\n".encode(),
                  finance_b)
