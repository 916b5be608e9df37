"""The intake's Celery tasks: thin, each calls a service with its row's id. Their names are the
ones queued messages, the models' TASK_NAME and the core's requeue use (assistance.tasks.…),
wherever the functions live. Late acknowledgement: a worker killed mid-run leaves its message
unacknowledged; whichever comes first — the redelivered message or the core's requeue
(fundportal.tasks.jobs_requeue_task) — runs the job again, and a job never runs twice at once
(fundportal.jobs.job_claim)."""
from celery import shared_task

from . import services
from .models import ScreeningRun, SettlementImport


@shared_task(name="assistance.tasks.settlement_import_task", acks_late=True, reject_on_worker_lost=True)
def settlement_import_task(job_id: int) -> None:
    services.settlement_import_run(job=SettlementImport.objects.get(pk=job_id))


@shared_task(name="assistance.tasks.screening_run_task", acks_late=True, reject_on_worker_lost=True)
def screening_run_task(run_id: int) -> None:
    try:
        services.screening_run_execute(run=ScreeningRun.objects.get(pk=run_id))
    except Exception:
        services.screening_run_fail(run_id=run_id)  # never left queued with no word of what happened
        raise
