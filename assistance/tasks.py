from celery import shared_task

from .intake import tasks as intake_tasks  # noqa: F401  (registers them)
from .review import tasks as review_tasks  # noqa: F401


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def bank_result_apply_task(result_id: int) -> None:
    """Apply a bank result file; safe to run again (each line's outcome is stored with its effect)."""
    from .payouts import bank_result_apply

    bank_result_apply(result_id=result_id)


@shared_task(acks_late=True)
def bank_results_requeue_task() -> int:
    """Every few minutes (beat): send again bank result files still waiting to be applied."""
    from .payouts import bank_results_requeue

    return len(bank_results_requeue())
