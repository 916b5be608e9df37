"""The payouts' Celery tasks: applying a bank result file, and (on the beat schedule,
assistance/payouts/defaults.py) sending again the files still waiting."""
from celery import shared_task

from . import bank_results


@shared_task(name="assistance.tasks.bank_result_apply_task", acks_late=True, autoretry_for=(Exception,),
             retry_backoff=True, max_retries=5)
def bank_result_apply_task(result_id: int) -> None:
    """Apply a bank result file; safe to run again (each line's outcome is stored with its effect)."""
    bank_results.bank_result_apply(result_id=result_id)


@shared_task(name="assistance.tasks.bank_results_requeue_task", acks_late=True)
def bank_results_requeue_task() -> int:
    """Every few minutes (beat): send again bank result files still waiting to be applied."""
    return len(bank_results.bank_results_requeue())
