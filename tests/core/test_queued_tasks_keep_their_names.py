"""A Celery task is found by its name: the messages already queued, the beat schedule's rows and
the services that queue by name all say assistance.tasks.<function>. The functions live in their
stages (assistance/intake/tasks.py, …); the names do not move with them."""
import pytest
from celery import current_app
from django_celery_beat.models import PeriodicTask

from assistance.followup.defaults import RECHECK_TASK, STOP_TASK
from assistance.intake.services import PENDING_WORK_STOP_TASK, SCREENING_RUN_TASK, SETTLEMENT_IMPORT_TASK
from assistance.outreach.defaults import OPEN_DUE_TASK
from assistance.payouts.bank_results import BANK_RESULT_APPLY_TASK
from assistance.review.defaults import OVERDUE_TASK

NAMES = {"assistance.tasks.settlement_import_task", "assistance.tasks.screening_run_task",
         "assistance.tasks.review_overdue_count_task", "assistance.tasks.bank_result_apply_task",
         "assistance.tasks.outreach_open_due_task", "assistance.tasks.pending_work_stop_task",
         "assistance.tasks.review_rechecks_open_task"}


def registered() -> set[str]:
    current_app.loader.import_default_modules()  # what a worker does at start: each app's tasks module
    return {name for name in current_app.tasks if name.startswith("assistance.")}


def test_the_assistance_tasks_keep_their_names():
    assert registered() == NAMES


def test_every_name_a_service_or_the_schedule_queues_is_a_registered_task():
    sent = {SETTLEMENT_IMPORT_TASK, SCREENING_RUN_TASK, BANK_RESULT_APPLY_TASK, OVERDUE_TASK, OPEN_DUE_TASK,
            PENDING_WORK_STOP_TASK, STOP_TASK, RECHECK_TASK}
    assert sent == NAMES and sent <= registered()


@pytest.mark.django_db
def test_the_beat_schedule_names_registered_tasks():
    scheduled = set(PeriodicTask.objects.filter(task__startswith="assistance.").values_list("task", flat=True))
    # Bank result files are sent again by the core's one requeue of every long job (fundportal.tasks).
    assert scheduled == {OVERDUE_TASK, OPEN_DUE_TASK, STOP_TASK, RECHECK_TASK} and scheduled <= registered()
