"""The Charity Federation's writes: batches, bank files, each payout's result, re-issues (a bank
result file is stored and applied line by line in bank_results.py).

Money leaves the fund in one place, payout_confirm_paid, and at most once per payout: the payout
row is locked, its state re-read, the ledger entry posted under the fund account's lock (which
refuses to go below zero), and the payout moved SENT → PAID by a conditional UPDATE that only one
transaction can win. A paid payout is never paid again; a returned one is a reversing entry; a
failed one can be re-issued once, to a corrected account, and still pays at most once (one live
payout per resolution item, a database constraint).

Separation of duties: who entered a case, who signed its decision, who prepared the batch and
who confirms the bank's result are four different people.
"""
import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from fundportal.audit import records_actor
from fundportal.money import money_label
from fundportal.services import InsufficientFunds, export_log_record, ledger_post_payout, ledger_reverse
from fundportal.states import state_create, state_move, states_move

from ..access import require
from ..applications.models import Application
from ..applications.moves import applications_move
from ..council.models import Resolution, ResolutionItem
from ..council.selectors import items_in_force
from ..notify import notify_paid, notify_payment_failed
from . import bankfiles
from ..publicity.selectors import item_hold_reason, items_held
from .fraud import flags_raise, staff_sharing
from .models import FraudFlag, Payout, PayoutBatch

State = Payout.State


def _not_involved(user, *, resolution: Resolution, applications, what: str) -> None:
    """Nobody enters, approves and pays the same case."""
    if resolution.signed_by_id == user.pk:
        raise PermissionDenied(f"您签署了依据的决议 {resolution.number}，不能{what}")
    if any(application.entered_by_id == user.pk for application in applications):
        raise PermissionDenied(f"批次中有您本人录入的申请，不能{what}")


# ---------------------------------------------------------------------------------------------- batches

def _lock_applications(applications) -> list[Application]:
    """Lock applications in id order, as signing does: a decision cannot be amended while its
    payouts are being made, sent or re-issued, nor the other way round."""
    return list(applications.select_for_update(of=("self",)).order_by("pk"))


def _lock_items(items) -> None:
    """Lock resolution items in id order: an objection to an entry locks its item, so it is
    recorded either before a batch reads what is held, or after and then refused."""
    list(items.select_for_update().order_by("pk").values_list("pk"))


def _held_message(payouts: list[Payout]) -> str | None:
    held = {item.pk: item for item in items_held(ResolutionItem.objects.filter(pk__in=[p.item_id for p in payouts]))
            .select_related("resolution")}
    lines = [f"{payout.reference}（{payout.application.number}）：{item_hold_reason(held[payout.item_id])}"
             for payout in payouts if payout.item_id in held]
    return "以下支付因公示暂缓发放，不能导出：\n" + "\n".join(lines[:20]) if lines else None


def _superseded(payouts: list[Payout]) -> list[Payout]:
    """Payouts whose decision a later signed resolution replaced."""
    in_force = set(items_in_force().filter(pk__in=[p.item_id for p in payouts]).values_list("pk", flat=True))
    return [payout for payout in payouts if payout.item_id not in in_force]


def _batch_number(resolution: Resolution) -> str:
    count = PayoutBatch.objects.filter(resolution=resolution).count()
    return f"ZF{resolution.year}-{resolution.sequence}-{count + 1}"


def _approved_unpaid(resolution: Resolution):
    # An item that ever had a payout is not paid again by a new batch: a failed or returned one
    # is re-issued, a cancelled one waits for the council to amend its decision. Nor is one whose
    # application is no longer approved: a review (复核) sent it back to costing, and the council's
    # next resolution replaces the item.
    return (items_in_force().filter(resolution=resolution, decision=ResolutionItem.Decision.APPROVE,
                                    application__state=Application.State.APPROVED)
            .exclude(Exists(Payout.objects.filter(item=OuterRef("pk")))))


def _items_to_pay(resolution: Resolution) -> list[ResolutionItem]:
    """The approved items not yet paid that the 公示 lets go: its period ended and no objection
    against the entry is open or upheld. Held ones wait for a later batch (or never go)."""
    unpaid = _approved_unpaid(resolution)
    return list(unpaid.exclude(pk__in=items_held(unpaid).values("pk")).select_related("application").order_by("id"))


def _nothing_to_pay(resolution: Resolution) -> str:
    held = list(items_held(_approved_unpaid(resolution)).select_related("resolution")[:1])
    if not held:
        return f"决议 {resolution.number} 批准的救助均已生成支付，或经复核退回重新测算"
    return f"决议 {resolution.number} 批准的救助暂不能生成支付：{item_hold_reason(held[0])}"


def _batch_refusal(*, resolution: Resolution, items: list[ResolutionItem] | None, acting_user) -> Exception | None:
    if not acting_user.has_perm("assistance.add_payoutbatch"):
        return PermissionDenied("您没有生成支付批次的权限")
    if not resolution.is_signed or resolution.kind != Resolution.Kind.PAYOUTS:
        return ValidationError("只能依据已签署的救助名单决议生成支付批次")
    items = _items_to_pay(resolution) if items is None else items
    if not items:
        return ValidationError(_nothing_to_pay(resolution))
    try:
        _not_involved(acting_user, resolution=resolution, applications=[i.application for i in items],
                      what="为其制作支付批次")
    except PermissionDenied as exc:
        return exc
    return None


def payout_batch_refusal(*, resolution: Resolution, acting_user) -> Exception | None:
    """Why this user cannot make a payout batch from this resolution now, or None when they can.
    The resolution's page offers the button only when None; the service asks the same question
    again under its locks."""
    return _batch_refusal(resolution=resolution, items=None, acting_user=acting_user)


@records_actor
@transaction.atomic
def payout_batch_create(*, resolution: Resolution, acting_user) -> PayoutBatch:
    """One payout per approved application not yet paid or being paid, exactly the amount resolved,
    to the application's bank account."""
    require(acting_user, "add_payoutbatch", "生成支付批次")
    resolution = Resolution.objects.select_for_update().get(pk=resolution.pk)
    if not resolution.is_signed or resolution.kind != Resolution.Kind.PAYOUTS:
        raise ValidationError("只能依据已签署的救助名单决议生成支付批次")
    _lock_applications(Application.objects.filter(
        pk__in=ResolutionItem.objects.filter(resolution=resolution).values("application_id")))
    _lock_items(ResolutionItem.objects.filter(resolution=resolution))
    # Read after the locks: an amendment signed meanwhile has replaced its items by now, and an
    # objection recorded meanwhile holds its entry.
    items = _items_to_pay(resolution)
    if (refusal := _batch_refusal(resolution=resolution, items=items, acting_user=acting_user)) is not None:
        raise refusal
    batch = state_create(PayoutBatch, acting_user=acting_user, reason=f"依据决议 {resolution.number} 生成支付批次",
                         number=_batch_number(resolution), resolution=resolution, prepared_by=acting_user)
    bulk_create_with_history([
        Payout(batch=batch, item=item, application=item.application, reference=f"{batch.number}-{n:04d}",
               amount=item.amount, account_holder=item.application.account_holder,
               bank_name=item.application.bank_name, account_number=item.application.account_number)
        for n, item in enumerate(items, start=1)], Payout, default_user=acting_user,
        default_change_reason=f"依据决议 {resolution.number} 生成支付批次")
    flags_raise(list(batch.payouts.select_related("application__person")))
    return batch


def _open_flags_message(flags: list[FraudFlag]) -> str:
    lines = [f"{flag.payout.reference}（{flag.payout.application.number}）：{flag.get_kind_display()}——{flag.detail}"
             for flag in flags[:20]]
    return "以下风险提示尚未处理，须核实放行或取消该笔支付后才能继续：\n" + "\n".join(lines)


def _pending(batch: PayoutBatch) -> list[Payout]:
    return list(batch.payouts.filter(state=State.PENDING).select_related("application__person")
                .prefetch_related("application__members", "application__extra_costs"))


@records_actor
def batch_export(*, batch: PayoutBatch, acting_user, file_format: str = "xlsx") -> tuple[str, bytes]:
    """The bank transfer file. The checks run first and their flags are kept (committed) even when
    they stop the export. Payouts go PENDING → SENT; exporting again gives the same file."""
    require(acting_user, "export_payoutbatch", "导出银行转账文件")
    if file_format not in ("xlsx", "csv"):
        raise ValidationError("文件格式应为 xlsx 或 csv")
    with transaction.atomic():
        flags = flags_raise(_pending(batch))
    if flags:
        raise ValidationError(_open_flags_message(flags))
    with transaction.atomic():
        batch = PayoutBatch.objects.select_for_update().select_related("resolution").get(pk=batch.pk)
        _lock_applications(Application.objects.filter(
            pk__in=Payout.objects.filter(batch=batch).values("application_id")))
        pending = _pending(batch)
        superseded = {payout.pk for payout in _superseded(pending)}
        if superseded:  # amended after this batch was made: never sent
            reason = "决议已被更正，该笔支付作废"
            states_move(Payout.objects.filter(pk__in=superseded), State.CANCELLED, acting_user=acting_user,
                        reason=reason, cancel_reason=reason)
        pending = [payout for payout in pending if payout.pk not in superseded]
        _lock_items(ResolutionItem.objects.filter(pk__in=[payout.item_id for payout in pending]))
        if (held := _held_message(pending)) is not None:
            raise ValidationError(held)
        _not_involved(acting_user, resolution=batch.resolution, applications=[p.application for p in pending],
                      what="导出其银行文件")
        flags = flags_raise(pending)  # again under the lock: nothing changed in between
        if flags:
            raise ValidationError(_open_flags_message(flags))
        states_move(Payout.objects.filter(pk__in=[payout.pk for payout in pending]), State.SENT,
                    acting_user=acting_user, reason="导出银行转账文件")
        sent = list(batch.payouts.filter(state=State.SENT).select_related("application").order_by("id"))
        if not sent:
            raise ValidationError("本批次没有待提交银行的支付")
        if batch.state == PayoutBatch.State.PREPARED:  # the first export; exporting again gives the same file
            batch = state_move(batch, PayoutBatch.State.EXPORTED, acting_user=acting_user, reason="导出银行转账文件",
                               exported_at=timezone.now())
        export_log_record(acting_user=acting_user, what=f"银行转账文件 {batch.number}", row_count=len(sent),
                          filters={"batch": batch.number, "format": file_format})
    content = bankfiles.transfer_xlsx(sent) if file_format == "xlsx" else bankfiles.transfer_csv(sent)
    return f"{batch.number}.{file_format}", content


# ------------------------------------------------------------------------------- the bank's answers

def _not_posted(locked: Payout) -> None:
    """A payout with its ledger entry already posted is never posted again."""
    if locked.ledger_entry_id is not None:
        raise ValidationError("该笔支付已被其他操作处理")


def _locked_payout(payout: Payout, amount, acting_user) -> Payout:
    require(acting_user, "reconcile_payoutbatch", "确认银行支付结果")
    locked = (Payout.objects.select_for_update(of=("self",)).select_related("batch__resolution", "application__person")
              .get(pk=payout.pk))
    if locked.batch.prepared_by_id == acting_user.pk:
        raise PermissionDenied("本批次由您制单，支付结果须由其他财务人员确认")
    _not_involved(acting_user, resolution=locked.batch.resolution, applications=[locked.application],
                  what="确认其支付")
    if amount is not None and bankfiles.parse_amount(str(amount)) != locked.amount:
        raise ValidationError(f"金额不符：银行为 {money_label(amount)}，应付 {money_label(locked.amount)}")
    return locked


@records_actor
@transaction.atomic
def payout_confirm_paid(*, payout: Payout, acting_user, amount=None, bank_message: str = "",
                        booked_on: dt.date | None = None) -> tuple[str, str]:
    """The bank paid: post the payout to the ledger, once. Returns (outcome, problem)."""
    locked = _locked_payout(payout, amount, acting_user)
    if locked.state == State.PAID:
        return "unchanged", ""
    if locked.state != State.SENT:
        raise ValidationError(f"该笔支付现为“{locked.get_state_display()}”，不能确认为已支付")
    if _superseded([locked]):
        raise ValidationError("该笔支付依据的决议已被更正，不能确认：请核实银行是否已付款并报理事会处理")
    flags = flags_raise([locked])
    if flags:  # kept (committed) and listed; the payment waits until they are dealt with
        return "mismatch", _open_flags_message(flags)
    try:
        entry = ledger_post_payout(amount=locked.amount, source=locked, acting_user=acting_user, booked_on=booked_on,
                                   memo=f"救助金 {locked.reference} {locked.application.number}")
    except InsufficientFunds as exc:
        raise ValidationError(f"确认该笔支付将使基金余额为负，未入账：{exc.messages[0]}") from exc
    # SENT → PAID under the row's lock, the state read again: only the transaction that finds it
    # SENT, with no entry yet, moves it, whatever the code above did (else all of this rolls back).
    state_move(locked, State.PAID, acting_user=acting_user, reason="银行确认已支付", check=_not_posted,
               ledger_entry=entry, bank_message=bank_message[:200], settled_by=acting_user, settled_at=timezone.now())
    applications_move(Application.objects.filter(pk=locked.application_id), Application.State.PAID,
                      acting_user=acting_user, reason=f"救助金已发放 {locked.reference}")
    notify_paid(_fresh(locked.application), amount=locked.amount, payout_id=locked.pk)
    return "paid", ""


@records_actor
@transaction.atomic
def payout_mark_failed(*, payout: Payout, acting_user, amount=None, bank_message: str = "",
                       booked_on: dt.date | None = None) -> tuple[str, str]:
    locked = _locked_payout(payout, amount, acting_user)
    if locked.state == State.FAILED:
        return "unchanged", ""
    if locked.state != State.SENT:
        raise ValidationError(f"该笔支付现为“{locked.get_state_display()}”，银行不应报支付失败")
    message = (bank_message or "银行未说明原因")[:200]
    state_move(locked, State.FAILED, acting_user=acting_user, reason=f"银行支付失败：{message}", bank_message=message,
               settled_by=acting_user, settled_at=timezone.now())
    notify_payment_failed(_fresh(locked.application), amount=locked.amount, payout_id=locked.pk)
    return "failed", ""


@records_actor
@transaction.atomic
def payout_mark_returned(*, payout: Payout, acting_user, amount=None, bank_message: str = "",
                         booked_on: dt.date | None = None) -> tuple[str, str]:
    """Money paid and then returned by the bank: a reversing entry; the payout can be re-issued."""
    locked = _locked_payout(payout, amount, acting_user)
    if locked.state == State.RETURNED:
        return "unchanged", ""
    if locked.state != State.PAID:
        raise ValidationError(f"该笔支付现为“{locked.get_state_display()}”，尚未确认支付，不能退回")
    reversal = ledger_reverse(entry=locked.ledger_entry, acting_user=acting_user, booked_on=booked_on,
                              reason=f"银行退回 {locked.reference}：{bank_message or '未说明原因'}")
    state_move(locked, State.RETURNED, acting_user=acting_user, reason="银行退回", reversal_entry=reversal,
               bank_message=(bank_message or "银行退回")[:200])
    applications_move(Application.objects.filter(pk=locked.application_id), Application.State.APPROVED,
                      acting_user=acting_user, reason=f"救助金被银行退回 {locked.reference}")
    notify_payment_failed(_fresh(locked.application), amount=locked.amount, payout_id=locked.pk, returned=True)
    return "returned", ""


def _fresh(application: Application) -> Application:
    """The application as it is now (its notice settings may have changed since the payout was read)."""
    return Application.objects.select_related("person").get(pk=application.pk)


# ---------------------------------------------------------------------------------- re-issues and the rest

@records_actor
@transaction.atomic
def payout_reissue(*, payout: Payout, acting_user, account_holder: str, bank_name: str,
                   account_number: str) -> Payout:
    """Pay a failed or returned payout again, to a corrected account, in the resolution's open
    batch (or a new one). Linked to the original; still one live payout per decision."""
    require(acting_user, "add_payoutbatch", "重新支付")
    original = Payout.objects.select_for_update().select_related("batch__resolution", "item").get(pk=payout.pk)
    if original.state not in Payout.REISSUABLE_STATES:
        raise ValidationError("只有支付失败或被退回的款项可以重新支付")
    if Payout.objects.filter(reissue_of=original).exists():
        raise ValidationError("该笔支付已经重新支付过")
    account_number = "".join(account_number.split())
    if not (account_holder.strip() and bank_name.strip() and account_number.isdigit() and
            8 <= len(account_number) <= 32):
        raise ValidationError("请填写收款人、开户银行和正确的银行账号（8 至 32 位数字）")
    resolution = Resolution.objects.select_for_update().get(pk=original.batch.resolution_id)  # batch numbers
    _lock_applications(Application.objects.filter(pk=original.application_id))
    if not items_in_force().filter(pk=original.item_id, decision=ResolutionItem.Decision.APPROVE).exists():
        raise ValidationError("该笔救助的决议已被更正，不能按原决议重新支付")
    _not_involved(acting_user, resolution=resolution, applications=[original.application], what="重新支付")
    batch = (PayoutBatch.objects.select_for_update().filter(resolution=resolution, state=PayoutBatch.State.PREPARED,
                                                            prepared_by=acting_user).first()
             or state_create(PayoutBatch, acting_user=acting_user, reason=f"重新支付 {original.reference}",
                             number=_batch_number(resolution), resolution=resolution, prepared_by=acting_user))
    reissue = state_create(
        Payout, acting_user=acting_user, reason=f"重新支付 {original.reference}", batch=batch, item=original.item,
        application=original.application, amount=original.amount,
        reference=f"{batch.number}-{batch.payouts.count() + 1:04d}", account_holder=account_holder.strip(),
        bank_name=bank_name.strip(), account_number=account_number, reissue_of=original)
    flags_raise([reissue])
    return reissue


@records_actor
@transaction.atomic
def payout_cancel(*, payout: Payout, acting_user, reason: str) -> Payout:
    """Stop a payout not yet with the bank (a deceased beneficiary, say), with the reason. It is not
    made again: paying that decision after all takes a resolution that amends it."""
    require(acting_user, "add_payoutbatch", "取消支付")
    locked = Payout.objects.select_for_update().get(pk=payout.pk)
    if not reason.strip():
        raise ValidationError("取消支付须写明原因")
    if locked.state != State.PENDING:
        raise ValidationError(f"该笔支付现为“{locked.get_state_display()}”，只有待导出的支付可以取消")
    reason = reason.strip()[:200]
    return state_move(locked, State.CANCELLED, acting_user=acting_user, reason=f"取消：{reason}", cancel_reason=reason)


@records_actor
@transaction.atomic
def flag_override(*, flag: FraudFlag, acting_user, reason: str) -> FraudFlag:
    """Clear a shared- or staff-account flag after checking, with the reason (kept for audit)."""
    require(acting_user, "override_fraudflag", "核实放行风险提示")
    locked = FraudFlag.objects.select_for_update().select_related("payout__batch").get(pk=flag.pk)
    if locked.kind not in FraudFlag.OVERRIDABLE and locked.payout.state != State.SENT:
        # Before the bank has the money, such a payout is cancelled; once it is sent, the record
        # must follow what the bank did, and recovering the money is pursued outside the system.
        raise ValidationError(f"“{locked.get_kind_display()}”不能放行：请取消该笔支付，必要时由理事会更正决议")
    if not locked.is_open:
        raise ValidationError("该风险提示已经核实放行")
    if not reason.strip():
        raise ValidationError("核实放行须写明理由")
    if locked.payout.batch.prepared_by_id == acting_user.pk:
        raise PermissionDenied("本批次由您制单，风险提示须由其他人核实放行")
    if acting_user in staff_sharing(locked.payout.account_number):
        raise PermissionDenied("该账号与您登记的本人账号相同，须由其他人核实放行")
    payout = Payout.objects.select_related("batch__resolution", "application").get(pk=locked.payout_id)
    _not_involved(acting_user, resolution=payout.batch.resolution, applications=[payout.application],
                  what="核实放行其风险提示")
    locked.overridden_by, locked.overridden_at = acting_user, timezone.now()
    locked.override_reason = reason.strip()[:200]
    locked.save()
    return locked
