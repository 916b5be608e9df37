"""What an adversarial review of the money-out code found, each held by a test: amendments racing
batches and exports, cancelled payouts, flags cleared by the person they name, a scheme changed
after the council saw it, spreadsheet formulas and absurd amounts in bank files."""
import datetime as dt
import io
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections

from assistance.payouts import bankfiles
from assistance.council import services as council
from assistance.council.services import resolution_draft_payouts, resolution_draft_scheme, resolution_sign
from assistance.models import Application, ExtraCost, FraudFlag, Payout, PayoutBatch, SettlementRecord
from assistance.payouts.services import batch_export, flag_override, payout_batch_create, payout_cancel
from assistance.council.schemes import scheme_new_version, scheme_update

from tests.fixtures.council import YEAR, fund, meeting_with_quorum, ready_application
from .helpers import all_paid, mismatches, reconcile

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
    payout_batch_create(resolution=correction, acting_user=finance_a)
    pay_everything(correction, finance_a, finance_b)
    assert paid_to(first) == D("28000.00")


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
def test_the_staff_member_whose_account_it_is_cannot_clear_the_flag(signed, finance_a, finance_b):
    from fundportal.models import User

    resolution, first, _second = signed
    acct = first.account_number
    finance_b.bank_account = " ".join(acct[i:i + 4] for i in range(0, len(acct), 4))  # as printed on the card
    finance_b.save()
    finance_b = User.objects.get(pk=finance_b.pk)
    assert finance_b.bank_account == acct  # stored as digits
    payout_batch_create(resolution=resolution, acting_user=finance_a)
    flag = FraudFlag.objects.get(kind="staff_account")
    with pytest.raises(PermissionDenied, match="与您登记的本人账号相同"):
        flag_override(flag=flag, acting_user=finance_b, reason="已核实")


def test_staff_accounts_can_be_recorded_in_the_user_admin():
    from fundportal.admin import UserAdmin

    assert "bank_account" in [field for _name, options in UserAdmin.fieldsets for field in options["fields"]]


@pytest.mark.django_db
def test_a_cleared_flag_does_not_cover_a_new_finding(secretary, clerk, town, scheme, finance_a, finance_b):
    fund("100000", finance_a)
    shared = "6228480099998888777"
    ready_application(clerk, town, out_of_pocket="55000", account=shared)
    ready_application(clerk, town, out_of_pocket="35000", account=shared)
    resolution = resolution_sign(acting_user=secretary, resolution=resolution_draft_payouts(
        meeting=meeting_with_quorum(secretary), scheme=scheme, acting_user=secretary))
    batch = payout_batch_create(resolution=resolution, acting_user=finance_a)
    for flag in FraudFlag.objects.all():
        flag_override(flag=flag, acting_user=finance_b, reason="村委会证明二人同住")
    batch_export(batch=batch, acting_user=finance_a)
    ready_application(clerk, town, out_of_pocket="20000", account=shared)  # a third, unrelated person
    result = reconcile(batch, all_paid(batch), finance_b)
    assert result.paid == 0 and all("同一账号还用于申请" in problem for problem in mismatches(result).values())
    assert FraudFlag.objects.filter(overridden_by__isnull=False).count() == 2  # the cleared ones stay


@pytest.mark.django_db
def test_an_invoice_reimbursed_under_a_lower_case_settlement_number_is_flagged(
        secretary, clerk, town, scheme, finance_a):
    fund("100000", finance_a)
    application = ready_application(clerk, town, out_of_pocket="35000")
    SettlementRecord.objects.create(year=YEAR, settlement_no="js20230001", person=application.person,
                                    settled_on=dt.date(YEAR, 3, 1), institution="瑞安市人民医院",
                                    total_cost=D("9000"), out_of_pocket=D("3000"))
    ExtraCost.objects.create(application=application, institution="瑞安市人民医院", invoice_number="JS20230001",
                             paid_on=dt.date(YEAR, 3, 1), amount=D("3000"))
    resolution = resolution_sign(acting_user=secretary, resolution=resolution_draft_payouts(
        meeting=meeting_with_quorum(secretary), scheme=scheme, acting_user=secretary))
    payout_batch_create(resolution=resolution, acting_user=finance_a)
    assert FraudFlag.objects.get().kind == "reused_invoice"


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


def test_the_xlsx_bank_file_never_holds_a_formula():
    from types import SimpleNamespace

    from openpyxl import load_workbook

    payout = SimpleNamespace(reference="ZF1", account_holder='=HYPERLINK("http://x","张三")', bank_name="农行",
                             account_number="6228480012345678", amount=D("1.00"),
                             application=SimpleNamespace(number="SQ1"))
    cell = load_workbook(io.BytesIO(bankfiles.transfer_xlsx([payout]))).worksheets[0]["B2"]
    assert (cell.data_type, cell.value) == ("s", '=HYPERLINK("http://x","张三")')


@pytest.mark.parametrize("amount", ["1E+30", "1e12", "NaN", "Infinity", "0.001"])
def test_absurd_amounts_in_a_bank_file_are_refused_with_a_reason(amount):
    with pytest.raises(ValidationError, match="不是有效金额"):
        bankfiles.result_lines(f"参考号,金额,结果\nZF1,{amount},成功\n".encode(), "回单.csv")
