"""Long jobs: one mechanism for the work that runs in Celery and shows its progress (statement builds;
settlement imports, screening runs and bank result files follow the same pattern).

A job is a row of a model derived from `LongJob`: its state (the table `MOVES` beside it, moved only
by fundportal.states), its progress (steps done of steps total, the phase in words), the error of a
failed run, when its task was last sent, its heartbeat (`touched_at`) and how many runs it took:

    queued ──claim──▶ running ──finish──▶ done
      ▲                  │ └────fail────▶ failed ──job_queue (a retry)──▶ queued
      └──requeue─────────┘ (no heartbeat for STALE_AFTER: the worker died)

- `job_send(job)`: once the transaction commits, the task is sent by its NAME (`TASK_NAME`, through
  celery.current_app.send_task), so services never import a tasks module. With the broker down the
  send fails, is logged, and the job stays queued: nothing is lost, no page errs.
- `job_claim`: the task's first step. Under the row's lock, a queued job becomes running (one more
  attempt); a job already running with a fresh heartbeat, done or failed is refused (None) and the
  task exits — a job never runs twice at once, however many messages ask for it.
- `job_progress`: a cheap UPDATE (no history row: a counter, not a change) that is also the
  heartbeat; it raises JobTakenOver if the run no longer owns the job (declared dead and run again).
- `job_finish` / `job_fail`: the run's end, written only by the run that owns the job.
- `jobs_requeue(model)`, for every registered job model by the one beat task
  (fundportal.tasks.jobs_requeue_task): sends again the queued jobs that waited over a minute (their
  send may have failed) and requeues the running ones whose heartbeat is stale (the worker died).
  A job whose row is locked is being worked on (a dead worker's locks go with its connection): skipped.
- `job_run(model, pk, work)` does a task's whole body: claim, work, finish or fail.

The registry of job models is the models themselves: every installed LongJob model with a TASK_NAME
(`job_models()`), so the core imports no app. The admin's progress endpoint and bar:
fundportal.job_admin.JobProgressAdmin and templates/jobs/progress.html.
"""
import datetime as dt
import logging
import time
from collections.abc import Callable
from typing import ClassVar, NamedTuple

from django.apps import apps
from django.core import checks
from django.core.exceptions import ValidationError
from django.db import connections, models, router, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .queue import send_named
from .states import Moves, state_move

logger = logging.getLogger(__name__)
WAIT_FOR_THE_BROKER = dt.timedelta(minutes=1)  # a queued job not picked up by then is sent again


class JobState(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("进行中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class JobStates(NamedTuple):
    """Which values of a job model's state mean queued, running, done and failed (a statement
    says "building" and "built"; its other states, such as published, count as finished)."""

    queued: str = JobState.QUEUED
    running: str = JobState.RUNNING
    done: str = JobState.DONE
    failed: str = JobState.FAILED

    def moves(self) -> set[tuple[str, str]]:
        """The moves every job's table must hold (fundportal.E104)."""
        return {(self.queued, self.running), (self.running, self.done), (self.running, self.failed),
                (self.running, self.queued), (self.failed, self.queued)}


JOB_MOVES = Moves({
    JobState.QUEUED: {JobState.RUNNING},
    JobState.RUNNING: {JobState.DONE, JobState.FAILED, JobState.QUEUED},  # → queued: its worker died
    JobState.DONE: set(),
    JobState.FAILED: {JobState.QUEUED},  # a retry
}, names={JobState.RUNNING: "开始执行", JobState.DONE: "完成", JobState.FAILED: "记为失败",
          JobState.QUEUED: "重新排队"}, initial={JobState.QUEUED})


class JobTakenOver(Exception):
    """This run no longer owns its job: it was declared dead (no heartbeat) and queued again, or
    finished by another run. It stops and writes nothing more."""


class LongJob(models.Model):
    """The fields every job has. A model may redefine `state` with its own choices (and then says
    which of them are the job's in JOB_STATES, and gives its own MOVES holding the job's moves)."""

    state = models.CharField(_("状态"), max_length=10, choices=JobState.choices, default=JobState.QUEUED)
    phase = models.CharField(_("当前阶段"), max_length=100, blank=True)
    steps_done = models.PositiveIntegerField(_("已处理"), default=0)
    steps_total = models.PositiveIntegerField(_("总量"), default=0)
    error = models.TextField(_("错误"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("执行次数"), default=0,
                                                help_text=_("每次开始执行加一；工作进程中断后重新执行也计入"))
    sent_at = models.DateTimeField(_("提交队列时间"), null=True, blank=True)
    touched_at = models.DateTimeField(_("最近进展"), auto_now=True,
                                      help_text=_("排队或执行中长时间没有进展的，由补发任务重新排队"))

    MOVES: ClassVar[Moves] = JOB_MOVES
    JOB_STATES: ClassVar[JobStates] = JobStates()
    TASK_NAME: ClassVar[str] = ""  # the Celery task that runs a job, called with its primary key
    STALE_AFTER: ClassVar[dt.timedelta] = dt.timedelta(minutes=10)  # no heartbeat this long: the worker died
    # The work runs inside one long transaction (all or nothing): progress is written through a
    # connection of its own, or nobody would see it before the end (PostgreSQL only).
    PROGRESS_OUTSIDE_TRANSACTION: ClassVar[bool] = False
    # A job whose failure is never its input's fault (it resumes where it stopped, like applying a
    # bank file line by line) is queued again by the requeue until it has run this many times; 0: a
    # failed job waits for a person.
    RETRY_FAILED_UP_TO: ClassVar[int] = 0
    # Progress, not changes: a model's history leaves these out (HistoricalRecords(excluded_fields=…)).
    PROGRESS_FIELDS: ClassVar[list[str]] = ["phase", "steps_done", "steps_total", "sent_at", "touched_at"]

    class Meta:
        abstract = True

    @property
    def job_status(self) -> str:
        """queued, running, done or failed, whatever the model calls them (a state that is not the
        job's, such as a published statement's, is finished: done)."""
        for status, value in self.JOB_STATES._asdict().items():
            if self.state == value:
                return status
        return "done"

    @property
    def is_finished(self) -> bool:
        return self.job_status in ("done", "failed")

    @property
    def progress_percent(self) -> int:
        return min(100, int(100 * self.steps_done / self.steps_total)) if self.steps_total else 0


def job_models() -> list[type[LongJob]]:
    """The registry: every installed job model with a task."""
    return [m for m in apps.get_models() if issubclass(m, LongJob) and m.TASK_NAME]


# ------------------------------------------------------------------------------------- sending

def _send(model: type[LongJob], pk) -> bool:
    if not send_named(model.TASK_NAME, pk):
        return False  # stays queued; jobs_requeue sends it again
    model._base_manager.filter(pk=pk, state=model.JOB_STATES.queued).update(sent_at=timezone.now())
    return True


def job_send(job: LongJob) -> None:
    """Send the job's task once the transaction commits (at once outside one)."""
    model, pk = type(job), job.pk
    transaction.on_commit(lambda: _send(model, pk))


def job_queue(job: LongJob, *, acting_user=None, reason: str = "", **fields) -> LongJob:
    """Queue an existing job again (a retry of a failed one, a rebuild, a dead worker's job) and send
    it: its progress and error start afresh. Refused (ValidationError) where its table says no."""
    model = type(job)
    job = state_move(job, model.JOB_STATES.queued, acting_user=acting_user,
                     reason=reason or model.MOVES.names.get(model.JOB_STATES.queued, ""),
                     steps_done=0, phase="", error="", **fields)
    job_send(job)
    return job


# ------------------------------------------------------------------------------------- running

def _owned_by(run: LongJob) -> Callable[[LongJob], None]:
    def check(locked: LongJob) -> None:
        if locked.state != run.JOB_STATES.running or locked.attempts != run.attempts:
            raise JobTakenOver(f"{run._meta.label} #{run.pk} attempt {run.attempts}")
    return check


def _stale(model: type[LongJob], now: dt.datetime, stale_after: dt.timedelta | None = None) -> Q:
    return Q(state=model.JOB_STATES.running,
             touched_at__lt=now - (model.STALE_AFTER if stale_after is None else stale_after))


def _revive(model: type[LongJob], job: LongJob, stale_after: dt.timedelta) -> LongJob:
    minutes = max(1, int(stale_after.total_seconds() // 60))
    return state_move(job, model.JOB_STATES.queued, steps_done=0, phase="",
                      reason=f"超过 {minutes} 分钟没有进展，工作进程已中断，重新排队")


def job_claim(model: type[LongJob], pk) -> LongJob | None:
    """Take a queued job for this run (running, one more attempt), or None: it is done, failed,
    gone, or running elsewhere with a fresh heartbeat — never twice at once. A running job whose
    heartbeat is stale was left by a dead worker: it is queued again and taken."""
    states = model.JOB_STATES
    with transaction.atomic():
        job = model._base_manager.select_for_update().filter(pk=pk).first()
        if job is None:
            return None
        if job.state == states.running and job.touched_at < timezone.now() - model.STALE_AFTER:
            job = _revive(model, job, model.STALE_AFTER)
        if job.state != states.queued:
            return None
        return state_move(job, states.running, reason=model.MOVES.names.get(states.running, ""),
                          attempts=job.attempts + 1, steps_done=0, phase="", error="")


def _progress_outside(run: LongJob, values: dict) -> int | None:
    """The progress UPDATE through a connection of its own, in autocommit: seen at once though the
    run's own transaction is still open. None where that cannot be done (or the row is locked, by
    this very run perhaps): the caller writes on its own connection."""
    model = type(run)
    alias = router.db_for_write(model)
    if connections[alias].vendor != "postgresql" or not connections[alias].in_atomic_block:
        return None
    side = connections.create_connection(alias)
    try:
        table, quote = model._meta.db_table, side.ops.quote_name
        column = {f.name: f.column for f in model._meta.concrete_fields}
        sets = ", ".join(f"{quote(column[name])} = %s" for name in values)
        pk_column = quote(model._meta.pk.column)
        sql = (f"UPDATE {quote(table)} SET {sets} WHERE {pk_column} IN (SELECT {pk_column} FROM {quote(table)} "
               f"WHERE {pk_column} = %s AND {quote(column['state'])} = %s AND {quote(column['attempts'])} = %s "
               f"FOR UPDATE SKIP LOCKED)")
        with side.cursor() as cursor:
            cursor.execute(sql, [*values.values(), run.pk, run.JOB_STATES.running, run.attempts])
            return cursor.rowcount or None
    finally:
        side.close()


def job_progress(job: LongJob, done: int, phase: str = "", *, total: int | None = None) -> None:
    """Record how far the run is (and that it is alive). Raises JobTakenOver if it no longer owns the job."""
    model = type(job)
    values = {"steps_done": done, "phase": phase[:100], "touched_at": timezone.now()}
    if total is not None:
        values["steps_total"] = total
    written = _progress_outside(job, values) if model.PROGRESS_OUTSIDE_TRANSACTION else None
    if written is None:
        written = model._base_manager.filter(pk=job.pk, state=model.JOB_STATES.running,
                                             attempts=job.attempts).update(**values)
    if not written:
        raise JobTakenOver(f"{model._meta.label} #{job.pk} attempt {job.attempts}")
    for name, value in values.items():
        setattr(job, name, value)


class PhaseClock:
    """Seconds spent in each phase of a long job (the phases it passes to job_progress, and any
    it names itself), for the log: where a slow run's time went, without a profiler."""

    def __init__(self, first: str):
        self.seconds: dict[str, float] = {}
        self._phase: str | None = first
        self._since = time.monotonic()

    def enter(self, phase: str | None) -> None:
        """Start `phase` (None: stop the clock); the same phase again goes on."""
        if phase == self._phase:
            return
        now = time.monotonic()
        if self._phase is not None:
            self.seconds[self._phase] = self.seconds.get(self._phase, 0.0) + now - self._since
        self._phase, self._since = phase, now

    def summary(self) -> str:
        return "，".join(f"{phase} {seconds:.1f} 秒" for phase, seconds in self.seconds.items())


def job_finish(job: LongJob, *, reason: str = "", **fields) -> LongJob:
    """The run's result: done, with `fields` (the content, the counts), in one save with its history
    row. Raises JobTakenOver if the run no longer owns the job."""
    model = type(job)
    done = model.JOB_STATES.done
    return state_move(job, done, check=_owned_by(job), reason=reason or model.MOVES.names.get(done, ""),
                      phase="", **fields)


def job_fail(job: LongJob, error: str, *, reason: str = "", **fields) -> LongJob:
    """The run failed: the error is kept for the page (a retry queues it again)."""
    model = type(job)
    failed = model.JOB_STATES.failed
    return state_move(job, failed, check=_owned_by(job), reason=reason or model.MOVES.names.get(failed, ""),
                      error=error[:2000], **fields)


def job_run(model: type[LongJob], pk, work: Callable[[LongJob], dict]) -> LongJob | None:
    """A task's body: claim the job (or leave), run `work(job)`, which reports with job_progress
    and returns the fields of its result, and finish. A ValidationError from `work` fails the job
    with its message (an expected refusal: not raised again); any other error fails it and is
    raised again (Celery logs it). A run that lost its job writes nothing. Returns the job as it is."""
    job = job_claim(model, pk)
    if job is None:
        return model._base_manager.filter(pk=pk).first()
    try:
        try:
            result = work(job)
        except ValidationError as exc:
            return job_fail(job, "；".join(exc.messages))
        except JobTakenOver:
            raise
        except Exception as exc:
            logger.exception("%s #%s failed", model._meta.label, pk)
            job_fail(job, str(exc) or type(exc).__name__)
            raise
        return job_finish(job, **(result or {}))
    except JobTakenOver:
        logger.warning("%s #%s: run %s lost the job to another run", model._meta.label, pk, job.attempts)
        return model._base_manager.filter(pk=pk).first()


# ------------------------------------------------------------------------------------- requeue

def jobs_requeue(model: type[LongJob], *, stale_after: dt.timedelta | None = None) -> list:
    """Send again the jobs of `model` that wait: queued for over a minute without a send since (the
    broker was down, or lost the message), running with no heartbeat for `stale_after` (the worker
    died: queued again first, with a history row), and failed ones of a model that retries them
    (RETRY_FAILED_UP_TO). Returns the keys sent."""
    stale_after = model.STALE_AFTER if stale_after is None else stale_after
    now, states = timezone.now(), model.JOB_STATES
    waited = now - min(stale_after, WAIT_FOR_THE_BROKER)
    waiting = list(model._base_manager.filter(state=states.queued, touched_at__lt=waited)
                   .filter(Q(sent_at__isnull=True) | Q(sent_at__lt=waited)).order_by("pk").values_list("pk", flat=True))
    for pk in model._base_manager.filter(_stale(model, now, stale_after)).order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            # Skip a locked row: whoever holds its lock is alive and working on it.
            job = model._base_manager.select_for_update(skip_locked=True).filter(
                _stale(model, now, stale_after), pk=pk).first()
            if job is not None:
                _revive(model, job, stale_after)
                waiting.append(pk)
    if model.RETRY_FAILED_UP_TO:
        waiting += _retry_failed(model, failed_before=waited)
    return [pk for pk in waiting if _send(model, pk)]


def _retry_failed(model: type[LongJob], *, failed_before) -> list:
    """Queue again the failed jobs of a model that resumes where it stopped, up to its limit."""
    retried = []
    failed = model._base_manager.filter(state=model.JOB_STATES.failed, touched_at__lt=failed_before,
                                        attempts__lt=model.RETRY_FAILED_UP_TO)
    for pk in failed.order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            job = failed.select_for_update(skip_locked=True).filter(pk=pk).first()
            if job is not None:
                state_move(job, model.JOB_STATES.queued, reason=f"上次执行中断（{job.error[:100]}），自动重试")
                retried.append(pk)
    return retried


def jobs_requeue_all() -> dict[str, list]:
    """jobs_requeue for every registered job model (the beat task's body)."""
    return {model._meta.label: jobs_requeue(model) for model in job_models()}


def job_progress_data(job: LongJob) -> dict:
    """What the progress endpoint answers (static/js/progress.js reads it)."""
    return {"status": job.job_status, "state": job.state, "state_display": job.get_state_display(),
            "done": job.is_finished, "phase": job.phase or job.get_state_display(),
            "processed": job.steps_done, "total": job.steps_total, "message": job.error, "attempts": job.attempts}


@checks.register(checks.Tags.models)
def job_models_are_complete(app_configs, **kwargs):
    """A job model without a task, or whose table lacks one of the job's moves, stops the site."""
    errors = []
    for model in apps.get_models():
        if not issubclass(model, LongJob):
            continue
        if not model.TASK_NAME:
            errors.append(checks.Error(f"{model._meta.label} is a LongJob without a TASK_NAME", obj=model,
                                       id="fundportal.E104"))
        missing = {(a, b) for a, b in model.JOB_STATES.moves() if not model.MOVES.allows(a, b)}
        if missing:
            errors.append(checks.Error(f"{model._meta.label}.MOVES lacks the job moves {sorted(missing)}",
                                       obj=model, id="fundportal.E104"))
    return errors
