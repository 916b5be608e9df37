"""The bank's result files: stored whole (or refused whole if unreadable), then applied in the
background line by line, each line's outcome stored with its effect, so a crash or a retried task
picks up where it stopped and never applies a line twice. Each line moves one payout through
services.py (payout_confirm_paid, payout_mark_failed, payout_mark_returned).
"""
import datetime as dt
import hashlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from fundportal.audit import records_actor
from fundportal.queue import send_named

from ..access import require
from . import bankfiles
from .models import BankResult, BankResultLine, Payout, PayoutBatch
from .services import payout_confirm_paid, payout_mark_failed, payout_mark_returned

State = Payout.State
# Queued by name: assistance/payouts/tasks.py imports this module, and a module graph has no cycles.
BANK_RESULT_APPLY_TASK = "assistance.tasks.bank_result_apply_task"


@records_actor
def bank_result_refusal(*, batch: PayoutBatch, acting_user) -> Exception | None:
    """Why this user cannot import a bank result for this batch now, or None when they can: the
    batch's page offers the upload only when None, the service refuses with the same reason.
    A result can still change something while a payout waits for the bank (SENT) or has been paid
    (PAID: the bank may return it later, even after the batch was reconciled)."""
    if not acting_user.has_perm("assistance.reconcile_payoutbatch"):
        return PermissionDenied("您没有导入银行回单的权限")
    if batch.prepared_by_id == acting_user.pk:
        return PermissionDenied("本批次由您制单，银行回单须由其他财务人员导入确认")
    if batch.state == PayoutBatch.State.PREPARED:
        return ValidationError("本批次尚未导出银行转账文件，没有可对账的支付")
    if not batch.payouts.filter(state__in=[State.SENT, State.PAID]).exists():
        return ValidationError("本批次没有等待银行结果或可被银行退回的支付，无需导入回单")
    return None


@transaction.atomic
def bank_result_import(*, batch: PayoutBatch, content: bytes, file_name: str, acting_user) -> BankResult:
    """Store the bank's result file (refused whole if unreadable) and apply it in the background."""
    require(acting_user, "reconcile_payoutbatch", "导入银行回单")
    batch = PayoutBatch.objects.get(pk=batch.pk)  # its state now, not as the page saw it
    if (refusal := bank_result_refusal(batch=batch, acting_user=acting_user)) is not None:
        raise refusal
    lines = bankfiles.result_lines(content, file_name)
    result = BankResult.objects.create(batch=batch, file_name=file_name[:200], imported_by=acting_user,
                                       sha256=hashlib.sha256(content).hexdigest())
    BankResultLine.objects.bulk_create(
        BankResultLine(result=result, line=line["line"], reference=line["reference"][:40], amount=line["amount"],
                       bank_result=line["result"], message=line["message"], booked_on=line["date"])
        for line in lines)
    transaction.on_commit(lambda: send_named(BANK_RESULT_APPLY_TASK, result.pk))  # broker down: the file waits
    return result


def bank_results_requeue(*, waiting_for: dt.timedelta = dt.timedelta(minutes=2)) -> list[int]:
    """Send again the result files not yet applied (the broker was down, or a worker died)."""
    waiting = BankResult.objects.filter(finished_at__isnull=True, imported_at__lt=timezone.now() - waiting_for)
    return [pk for pk in waiting.values_list("pk", flat=True) if send_named(BANK_RESULT_APPLY_TASK, pk)]


def bank_result_apply(*, result_id: int) -> BankResult:
    """Apply each line in its own transaction, storing its outcome with its effect: a crash or a
    retried task picks up where it stopped, and a line is never applied twice."""
    for line_id in BankResultLine.objects.filter(result_id=result_id, outcome="").values_list("pk", flat=True):
        with transaction.atomic():
            line = BankResultLine.objects.select_for_update().select_related("result").get(pk=line_id)
            if line.outcome:
                continue  # another worker got here first
            line.outcome, line.problem = _apply_line(line)
            line.save(update_fields=["outcome", "problem"])
    with transaction.atomic():
        result = BankResult.objects.select_for_update().get(pk=result_id)
        counts = dict(result.rows.order_by().values("outcome").annotate(n=Count("id")).values_list("outcome", "n"))
        result.paid, result.failed = counts.get("paid", 0), counts.get("failed", 0)
        result.returned, result.unchanged = counts.get("returned", 0), counts.get("unchanged", 0)
        result.mismatched = counts.get("mismatch", 0)
        result.finished_at = result.finished_at or timezone.now()
        result.save()
        _settle(result.batch_id)
        return result


def _apply_line(line: BankResultLine) -> tuple[str, str]:
    payout = Payout.objects.filter(reference=line.reference).first()
    if payout is None or payout.batch_id != line.result.batch_id:
        return "mismatch", "本批次中没有这个参考号"
    apply = {"paid": payout_confirm_paid, "failed": payout_mark_failed,
             "returned": payout_mark_returned}[line.bank_result]
    try:
        with transaction.atomic():
            return apply(payout=payout, amount=line.amount, acting_user=line.result.imported_by,
                         bank_message=line.message, booked_on=line.booked_on)
    except (ValidationError, PermissionDenied) as exc:
        return "mismatch", "；".join(getattr(exc, "messages", [str(exc)]))[:1000]


def _settle(batch_id: int) -> None:
    batch = PayoutBatch.objects.select_for_update().get(pk=batch_id)
    open_payouts = batch.payouts.filter(state__in=[State.PENDING, State.SENT]).exists()
    if not open_payouts and batch.state == PayoutBatch.State.EXPORTED:
        batch.state = PayoutBatch.State.SETTLED
        batch.save(update_fields=["state"])
