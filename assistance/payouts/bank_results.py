"""The bank's result files: stored whole (or refused whole if unreadable), then applied in the
background line by line, each line's outcome stored with its effect, so a crash or a retried task
picks up where it stopped and never applies a line twice. Each line moves one payout through
services.py (payout_confirm_paid, payout_mark_failed, payout_mark_returned).

Applying a file is a long job (fundportal/jobs.py, BankResult): sent by the task's name once the
import commits; with the broker down it waits, queued, for the core's requeue
(fundportal.tasks.jobs_requeue_task), which also queues again a file whose worker died. A run
claims the file (never two at once), reports each line applied as its progress (the heartbeat),
and applies no more lines once another run has taken the file over.
"""
import hashlib
import time

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from fundportal.audit import records_actor
from fundportal.jobs import job_progress, job_run, job_send
from fundportal.states import state_create, state_move

from ..access import require
from . import bankfiles
from .models import BankResult, BankResultLine, Payout, PayoutBatch
from .services import payout_confirm_paid, payout_mark_failed, payout_mark_returned

State = Payout.State
# Queued by name: assistance/payouts/tasks.py imports this module, and a module graph has no cycles.
BANK_RESULT_APPLY_TASK = BankResult.TASK_NAME
PHASE = "逐行对账"


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
    result = state_create(BankResult, acting_user=acting_user, reason="导入银行回单", batch=batch,
                          file_name=file_name[:200], imported_by=acting_user, steps_total=len(lines),
                          sha256=hashlib.sha256(content).hexdigest())
    BankResultLine.objects.bulk_create(
        BankResultLine(result=result, line=line["line"], reference=line["reference"][:40], amount=line["amount"],
                       bank_result=line["result"], message=line["message"], booked_on=line["date"])
        for line in lines)
    job_send(result)  # once committed; with the broker down the file waits, queued, for the requeue
    return result


def bank_result_apply(*, result_id: int) -> BankResult:
    """Apply the file's lines not applied yet (the task's body). A file whose last run failed on
    an unexpected error (the database went away) is queued again first: asking again resumes it
    where it stopped, as a retried task does."""
    with transaction.atomic():
        result = BankResult.objects.select_for_update().filter(pk=result_id).first()
        if result is not None and result.state == BankResult.JOB_STATES.failed:
            state_move(result, BankResult.JOB_STATES.queued, reason="再次执行，从中断处继续", error="")
    return job_run(BankResult, result_id, _apply_lines)


def _apply_lines(result: BankResult) -> dict:
    """Each line in its own transaction with its outcome and the run's progress: a line applied is
    committed with its effect, a run that lost the file to another stops before its next line."""
    lines = BankResultLine.objects.filter(result_id=result.pk)
    done = lines.exclude(outcome="").count()
    job_progress(result, done, PHASE, total=lines.count())
    for line_id in lines.filter(outcome="").order_by("line").values_list("pk", flat=True):
        with transaction.atomic():
            line = BankResultLine.objects.select_for_update().select_related("result").get(pk=line_id)
            if not line.outcome:  # else another run got here first
                line.outcome, line.problem = _apply_line(line)
                line.save(update_fields=["outcome", "problem"])
            done += 1
            job_progress(result, done, PHASE)  # JobTakenOver: this line rolls back, the new run applies it
        if settings.BANK_RESULT_LINE_PAUSE:  # fault drills only: a worker killed mid-file
            time.sleep(settings.BANK_RESULT_LINE_PAUSE)
    with transaction.atomic():
        counts = dict(lines.order_by().values("outcome").annotate(n=Count("id")).values_list("outcome", "n"))
        _settle(result.batch_id)
    return {"paid": counts.get("paid", 0), "failed": counts.get("failed", 0), "returned": counts.get("returned", 0),
            "unchanged": counts.get("unchanged", 0), "mismatched": counts.get("mismatch", 0),
            "finished_at": result.finished_at or timezone.now()}


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
        state_move(batch, PayoutBatch.State.SETTLED, reason="银行结果已全部对账")
