"""The notices' Celery tasks. Thin: the exactly-once rules live in fundportal/notices/sending.py.

Late acknowledgement is safe here: a task delivered again after its worker died finds the row
already claimed (or done) and does nothing."""
from celery import shared_task

from .sending import notice_send, notices_sweep
from .services import SEND_TASK

SWEEP_TASK = "fundportal.notices.tasks.notices_sweep_task"


@shared_task(name=SEND_TASK, acks_late=True)
def notice_send_task(notice_id: int) -> str:
    return notice_send(notice_id)


@shared_task(name=SWEEP_TASK)
def notices_sweep_task() -> dict[str, int]:
    """Every minute (beat): cut-off sends become uncertain, lost or due ones are queued again."""
    return notices_sweep()
