"""The intake's Celery tasks: thin, each fetches its row by id and calls a service. Their names are
the ones queued messages and services use (assistance.tasks.…), wherever the functions live."""
from celery import shared_task

from . import services
from .models import ScreeningRun, SettlementImport


@shared_task(name="assistance.tasks.settlement_import_task", acks_late=True)
def settlement_import_task(job_id: int) -> None:
    services.settlement_import_run(job=SettlementImport.objects.get(pk=job_id))


@shared_task(name="assistance.tasks.screening_run_task", acks_late=True)
def screening_run_task(run_id: int) -> None:
    try:
        services.screening_run_execute(run=ScreeningRun.objects.get(pk=run_id))
    except Exception:
        services.screening_run_fail(run_id=run_id)  # never left "pending" with no word of what happened
        raise
