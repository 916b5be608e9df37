from celery import shared_task

from .models import SettlementImport


@shared_task(acks_late=True)
def settlement_import_task(job_id: int) -> None:
    from .imports import settlement_import_run

    settlement_import_run(job=SettlementImport.objects.get(pk=job_id))


@shared_task(acks_late=True)
def screening_run_task(run_id: int) -> None:
    from .models import ScreeningRun
    from .screening import screening_run_execute, screening_run_fail

    try:
        screening_run_execute(run=ScreeningRun.objects.get(pk=run_id))
    except Exception:
        screening_run_fail(run_id=run_id)  # never left "pending" with no word of what happened
        raise


@shared_task(acks_late=True)
def review_overdue_count_task() -> int:
    """Daily (django-celery-beat): record how many review cases are past their deadline."""
    from .review import review_overdue_count_record

    return review_overdue_count_record()


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
