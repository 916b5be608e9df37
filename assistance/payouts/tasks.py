"""The payouts' Celery task: applying a bank result file, a long job (fundportal/jobs.py) sent
again by the core's requeue (fundportal.tasks.jobs_requeue_task) when the broker was down or the
worker died. Late acknowledgement: a worker killed mid-file leaves the message unacknowledged, and
the file is applied from where it stopped — never two runs at once, never a line twice."""
from celery import shared_task

from . import bank_results


@shared_task(name="assistance.tasks.bank_result_apply_task", acks_late=True, reject_on_worker_lost=True,
             autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def bank_result_apply_task(result_id: int) -> None:
    """Apply a bank result file; safe to run again (each line's outcome is stored with its effect)."""
    bank_results.bank_result_apply(result_id=result_id)
