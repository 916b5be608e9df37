"""The intake's writes: the insured-person registry, settlement imports, screening runs.

The registry is filled in bulk by the MSB's settlement files (imports, run by Celery or the
command line) and corrected by hand one person at a time (a death). A screening run finds the
year's warning targets (预警对象) in the imported settlements; sharing a finished run with civil
affairs opens the review (assistance/review/services.py: screening_run_share).
"""
import datetime as dt
import logging
import time
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.db.models import BigIntegerField, Count, F, Sum
from django.db.models.functions import Cast, Round
from django.utils import timezone

from fundportal.audit import records_actor
from fundportal.dates import PERSONAL, date_range_error
from fundportal.models import Region
from fundportal.money import format_money, money_label, to_money
from fundportal.jobs import JobTakenOver, PhaseClock, job_claim, job_fail, job_finish, job_progress, job_send
from fundportal.states import state_create, state_move
from fundportal.queue import send_named

from ..importing.columns import ImportFileError, headings_of, map_header
from ..importing.reader import is_xlsx, open_xlsx, read_header
from .models import InsuredPerson, ScreeningRun, SettlementImport, SettlementRecord, WarningTarget

logger = logging.getLogger(__name__)
# The tasks' names, as queued messages and the core's requeue know them (the models' TASK_NAME).
SETTLEMENT_IMPORT_TASK = SettlementImport.TASK_NAME
SCREENING_RUN_TASK = ScreeningRun.TASK_NAME
TOP_INSTITUTIONS = 3


# ----------------------------------------------------------------------------------- the registry

def death_validate(*, is_deceased: bool, died_on: dt.date | None, born_on: dt.date | None = None) -> None:
    """`born_on`: the person's birth date (from the ID number), which a death cannot precede."""
    if is_deceased and died_on and died_on > timezone.localdate():
        raise ValidationError({"died_on": "死亡日期不能晚于今天"})
    if is_deceased and died_on and born_on and died_on < born_on:
        raise ValidationError({"died_on": f"死亡日期不能早于出生日期（{born_on:%Y-%m-%d}）"})
    if is_deceased and (error := date_range_error(died_on, PERSONAL, "死亡日期")):
        raise ValidationError({"died_on": error})
    if not is_deceased and died_on:
        raise ValidationError({"died_on": "未死亡的人员不应填写死亡日期"})


@records_actor
@transaction.atomic
def insured_person_set_deceased(*, person: InsuredPerson, is_deceased: bool, died_on: dt.date | None,
                                acting_user) -> InsuredPerson:
    """Record (or correct) a death: screening excludes the deceased, payouts must never reach them."""
    person = InsuredPerson.objects.select_for_update().get(pk=person.pk)
    death_validate(is_deceased=is_deceased, died_on=died_on, born_on=person.birth_date)
    person.is_deceased, person.died_on = is_deceased, died_on if is_deceased else None
    person._change_reason = "登记死亡" if is_deceased else "撤销死亡登记"
    person.save(update_fields=["is_deceased", "died_on", "updated_at"])
    return person


@transaction.atomic
def insured_person_moved_away_record(*, person_id: int, acting_user, reason: str) -> InsuredPerson:
    """An officer found the family gone from the city (迁出), as a settlement file's status column
    would say: the registry records it and the work pending on them stops (the stop task, sent by
    name once this commits: assistance/followup/stopping.py)."""
    person = InsuredPerson.objects.select_for_update().get(pk=person_id)
    if not person.moved_away:
        person.moved_away = True
        person._change_reason = reason
        person.save(update_fields=["moved_away", "updated_at"])
    transaction.on_commit(lambda: send_named(PENDING_WORK_STOP_TASK))
    return person


@records_actor
@transaction.atomic
def insured_person_get_or_create(*, resident_id: str, name: str, region: Region, reason: str,
                                 acting_user) -> tuple[InsuredPerson, bool]:
    """The registry's person with this (validated, normalised) ID number; someone not in it yet is
    added from what the caller knows. Returns (person, created).

    Two clerks registering the same new person at the same moment: the unique constraint lets one
    insert; the other waits on it, gets a unique violation inside a savepoint and takes the row the
    first wrote. The violation never escapes: its database message names the ID number, and an
    error page would carry it into the server's log.
    """
    person = InsuredPerson.objects.filter(resident_id=resident_id).first()
    if person is not None:
        return person, False
    person = InsuredPerson(resident_id=resident_id, name=name, sex="M" if int(resident_id[16]) % 2 else "F",
                           birth_date=dt.date(int(resident_id[6:10]), int(resident_id[10:12]),
                                              int(resident_id[12:14])),
                           region=region, household_region_text=region.name if region else "",
                           is_local=region is not None)
    person._change_reason = reason
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError:
        first = InsuredPerson.objects.filter(resident_id=resident_id).first()
        if first is None:  # some other constraint: not the race this handles
            raise
        return first, False
    return person, True


# ----------------------------------------------------------------------------- settlement imports

IMPORT_CRASHED = "导入失败：系统内部错误，已全部回滚，没有写入任何数据。请联系管理员后重试。"


def _estimate_rows(path: Path) -> int:
    """Lines in a CSV (a fast byte count), rows in an .xlsx (its declared dimension)."""
    if is_xlsx(path):
        book = open_xlsx(path, data_only=False)
        try:
            return max((book.worksheets[0].max_row or 1) - 1, 0)
        finally:
            book.close()
    with open(path, "rb") as handle:
        return max(sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 22), b"")) - 1, 0)


@records_actor
@transaction.atomic
def settlement_import_create(*, year: int, acting_user, upload: UploadedFile | None = None,
                             file_name: str = "", month: int | None = None) -> SettlementImport:
    """Register an import. An uploaded file is kept (private storage) and its job sent to a worker
    once this commits (a broker outage leaves it queued for the core's requeue, no error page); a
    file named on the command line is run there (settlement_import_run with its path)."""
    first_year, this_year = settings.DATA_EARLIEST_DATE.year, timezone.localdate().year
    if not first_year <= year <= this_year:
        raise ValidationError({"year": f"年度应在 {first_year} 至 {this_year} 之间"})
    if month is not None and not 1 <= month <= 12:
        raise ValidationError({"month": "月份应在 1 至 12 之间"})
    fields = {"year": year, "month": month, "created_by": acting_user,
              "file_name": (upload.name if upload else file_name)[:200]}
    if upload is not None:
        # The disk counts bytes (255 a name), the field characters: 120 four-byte characters failed.
        stem, suffix = Path(upload.name).stem, Path(upload.name).suffix[:10]
        while stem and len((stem + suffix).encode()) > 180:
            stem = stem[:-1]
        upload.name = stem + suffix
        fields["file"] = upload
    job = state_create(SettlementImport, acting_user=acting_user, reason="上传结算数据文件" if upload else "导入结算数据文件",
                       **fields)
    if upload is not None:
        job_send(job)
    return job


def settlement_import_run(*, job: SettlementImport, path: Path | None = None) -> SettlementImport:
    """Load the job's file (its stored upload, or `path`). All rows or none: a failed or killed run
    leaves nothing. Claimed first (fundportal.jobs.job_claim): a finished job, or one running
    elsewhere, is left alone — a redelivered message does nothing; a failed one is run again (it
    left nothing behind). Returns the job as it now is."""
    _retry_if_failed(job.pk)
    run = job_claim(SettlementImport, job.pk)
    if run is None:
        return SettlementImport.objects.get(pk=job.pk)
    try:
        if path is None and not run.file:
            job_fail(run, "该导入的文件不在服务器上（由命令行导入），请重新运行导入命令",
                     message="该导入的文件不在服务器上（由命令行导入），请重新运行导入命令", finished_at=timezone.now())
        else:
            _import(run, Path(path or run.file.path))
    except JobTakenOver:
        logger.warning("settlement import %s: run %s lost the job to another run", job.pk, run.attempts)
    return SettlementImport.objects.get(pk=job.pk)


def _retry_if_failed(pk: int) -> None:
    if SettlementImport.objects.filter(pk=pk, state=SettlementImport.State.FAILED).exists():
        try:
            state_move(SettlementImport, SettlementImport.State.PENDING, pk=pk, reason="重新导入")
        except ValidationError:
            pass  # someone else queued it again first: the claim decides who runs it


def _import(run: SettlementImport, path: Path) -> None:
    started = time.monotonic()
    clock = PhaseClock("准备")  # until the loader's first phase: the header, the wait for another import
    try:
        total = _estimate_rows(path)
    except Exception:  # a broken or refused .xlsx: reported in Chinese below, when its header is read
        total = 0
    job_progress(run, 0, "读取文件", total=total)

    def progress(phase: str, processed: int) -> None:
        clock.enter(phase)
        job_progress(run, processed, phase)

    def ended(**fields) -> dict:
        return {"seconds": Decimal(f"{time.monotonic() - started:.2f}"), "finished_at": timezone.now(), **fields}

    try:
        header = read_header(path)
        positions = map_header(header)
        loader = _loader()
        with transaction.atomic():
            # No lock on the job's row while it loads (its progress is written beside it): the
            # claim made this run the only one, and its finish, in this transaction, says so again.
            run.errors.all().delete()
            result = loader.load(job=run, path=path, positions=positions, width=len(header), year=run.year,
                                 month=run.month,
                                 headings=headings_of(header, positions), today=timezone.localdate(),
                                 progress=progress)
            clock.enter("提交")
            job_finish(run, **ended(
                message=f"导入 {result.rows_imported} 行，错误 {result.rows_rejected} 行，"
                        f"未变化 {result.rows_unchanged} 行，新增人员 {result.people_created} 人",
                rows_total=result.rows_total, rows_imported=result.rows_imported,
                rows_rejected=result.rows_rejected, rows_unchanged=result.rows_unchanged,
                people_created=result.people_created, steps_done=result.rows_total, steps_total=result.rows_total))
            # Deaths and moves the file recorded stop the work pending on those people (followup/stopping.py).
            transaction.on_commit(lambda: send_named(PENDING_WORK_STOP_TASK))
    except ImportFileError as exc:
        job_fail(run, str(exc), **ended(message=str(exc)))
    except JobTakenOver:
        raise
    except Exception:
        logger.exception("settlement import %s failed", run.pk)
        job_fail(run, IMPORT_CRASHED, **ended(message=IMPORT_CRASHED))
        raise
    finally:  # a failed import too: where its time went before it failed
        clock.enter(None)
        logger.info("settlement import %s: %s", run.pk, clock.summary(), extra={"phases": clock.seconds})


PENDING_WORK_STOP_TASK = "assistance.tasks.pending_work_stop_task"


def _loader():
    """The PostgreSQL loader (polars) or the portable one. Imported here, not at start-up: web
    processes never load polars, and Celery's parent process forks its workers before polars has
    started a thread (forking a process that has them can deadlock the child)."""
    if connection.vendor == "postgresql":
        from ..importing import postgres

        return postgres
    from ..importing import python

    return python


# --------------------------------------------------------------------------------- screening runs

@records_actor
@transaction.atomic
def screening_run_create(*, year: int, acting_user, threshold: Decimal = Decimal("50000"), local_only: bool = True,
                         exclude_deceased: bool = True, min_settlements: int = 1,
                         queue: bool = True) -> ScreeningRun:
    """Record a run's parameters; with queue=True a Celery task computes it after commit."""
    errors = {}
    if threshold < 0:
        errors["threshold"] = "个人自付起点不能为负数"
    if min_settlements < 1:
        errors["min_settlements"] = "最少结算次数至少为 1"
    if not 2000 <= year <= timezone.localdate().year:
        errors["year"] = "年度无效"
    if errors:
        raise ValidationError(errors)
    run = state_create(ScreeningRun, acting_user=acting_user, reason="发起筛查", year=year, threshold=threshold,
                       local_only=local_only, exclude_deceased=exclude_deceased, min_settlements=min_settlements,
                       created_by=acting_user)
    if queue:
        job_send(run)  # after commit; a broker outage leaves it queued for the core's requeue, no error page
    return run


def _fen_sum(field: str) -> Sum:
    """A column's exact sum in whole fen: SQLite sums decimals as floats (17559578.0899999), so
    each amount is made a whole number of fen first, and whole numbers sum exactly on both databases."""
    return Sum(Cast(Round(F(field) * 100), BigIntegerField()))


def _fingerprint(year: int) -> str:
    """The year's settlement data as the run saw it: rows, out-of-pocket total and total cost
    (29,941 | 17,559,578.09 | 48,097,501.78), the same on either database for the same data."""
    totals = SettlementRecord.objects.filter(year=year).aggregate(
        rows=Count("id"), out_of_pocket=_fen_sum("out_of_pocket"), total=_fen_sum("total_cost"))
    out_of_pocket, total = (Decimal(totals[key] or 0) / 100 for key in ("out_of_pocket", "total"))
    return f"{totals['rows']:,} | {format_money(out_of_pocket)} | {format_money(total)}"


SCREENING_CRASHED = "筛查失败：系统内部错误，没有保存任何结果。请联系管理员后重新发起。"


def screening_run_execute(*, run: ScreeningRun) -> ScreeningRun:
    """Compute the targets. Deterministic: the same data and parameters give the same targets.
    Claimed first (fundportal.jobs.job_claim): a finished run, or one running elsewhere, is left
    alone — a redelivered message does nothing. Returns the run as it now is."""
    claimed = job_claim(ScreeningRun, run.pk)
    if claimed is None:
        return ScreeningRun.objects.get(pk=run.pk)
    started = time.monotonic()
    try:
        job_progress(claimed, 0, "筛查预警对象")
        outermost = not transaction.get_connection().in_atomic_block
        with transaction.atomic():  # the targets and the run's "done" together, or neither
            if outermost and connection.vendor == "postgresql":
                # The threshold pass and the per-person sums are separate statements: one snapshot
                # for all of them, so an import committing in between cannot split a target's figures.
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            result = _execute(claimed)
            return job_finish(claimed, seconds=Decimal(f"{time.monotonic() - started:.2f}"),
                              finished_at=timezone.now(), **result)
    except JobTakenOver:
        logger.warning("screening run %s: run %s lost the job to another run", run.pk, claimed.attempts)
        return ScreeningRun.objects.get(pk=run.pk)
    except Exception:
        logger.exception("screening run %s failed", run.pk)
        job_fail(claimed, SCREENING_CRASHED, message=SCREENING_CRASHED, finished_at=timezone.now())
        raise


def _execute(run: ScreeningRun) -> dict:
    """The run's targets written, and what the run records of them."""
    run.targets.all().delete()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # a city's year groups into 1.5 M people: keep the hash in memory
            cursor.execute("SET LOCAL work_mem = '256MB'")
            # One plain hash aggregate. A year is split by month (migration settlement_months) and
            # the parent has no statistics of its own, so the planner expects 200 people and plans a parallel
            # partial aggregate merged by sorting (21.6 s at 10 M rows, against 10.3 s before the
            # split); with about seven rows a person, partial aggregates hardly shrink anyway
            # (2.4 M rows: serial 4.5 s, parallel with sort 5.7 s, parallel with hash 6.2 s).
            cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
    # One pass over the year's partition with only what the threshold rules need; the other
    # figures are then summed for the few people who pass, through the (person, year) index.
    passing = (SettlementRecord.objects.filter(year=run.year).values("person_id")
               .annotate(oop=Sum("out_of_pocket"), visits=Count("id"))
               .filter(oop__gte=run.threshold, visits__gte=run.min_settlements)
               .values_list("person_id", flat=True))
    people = InsuredPerson.objects.filter(pk__in=passing)
    if run.local_only:
        people = people.filter(is_local=True)
    if run.exclude_deceased:
        people = people.filter(is_deceased=False)
    people = {person.pk: person for person in people.only("pk", "region_id")}
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # the fingerprint's plain sums do gain from both cores
            cursor.execute("SET LOCAL max_parallel_workers_per_gather TO DEFAULT")
    figures = _figures(run.year, sorted(people))
    institutions = _top_institutions(run.year, sorted(people))
    targets = []
    for person_id in sorted(people):
        row = figures[person_id]
        fund_paid = row["basic"] + row["critical"] + row["assistance"]
        targets.append(WarningTarget(
            run=run, person_id=person_id, region_id=people[person_id].region_id, total_cost=row["total"],
            fund_paid=fund_paid, out_of_pocket=row["oop"], settlement_count=row["visits"],
            own_share=((row["oop"] / row["total"]).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
                       if row["total"] else Decimal("0")),  # 四舍五入, like every amount in the portal
            top_institutions=institutions.get(person_id, []),
        ))
    WarningTarget.objects.bulk_create(targets, batch_size=2000)
    return {"target_count": len(targets), "data_fingerprint": _fingerprint(run.year),
            "message": f"{run.year} 年个人自付 ≥ {money_label(run.threshold)}的预警对象 {len(targets)} 人"}


def _figures(year: int, person_ids: list[int]) -> dict[int, dict]:
    """Each person's sums for the year (total, fund-paid parts, out-of-pocket, number of visits)."""
    figures = {}
    for start in range(0, len(person_ids), 2000):
        rows = (SettlementRecord.objects.filter(year=year, person_id__in=person_ids[start:start + 2000])
                .values("person_id").annotate(total=Sum("total_cost"), basic=Sum("fund_basic"),
                                              critical=Sum("fund_critical"), assistance=Sum("fund_assistance"),
                                              oop=Sum("out_of_pocket"), visits=Count("id")))
        figures.update((row["person_id"], row) for row in rows)
    return figures


def _top_institutions(year: int, person_ids: list[int]) -> dict[int, list[list]]:
    """Each person's institutions by cost, biggest first (ties by name, so runs are reproducible)."""
    by_person: dict[int, list[tuple[Decimal, str]]] = defaultdict(list)
    for start in range(0, len(person_ids), 2000):
        rows = (SettlementRecord.objects.filter(year=year, person_id__in=person_ids[start:start + 2000])
                .values("person_id", "institution").annotate(amount=Sum("total_cost")))
        for row in rows:
            by_person[row["person_id"]].append((row["amount"], row["institution"]))
    return {
        person_id: [[name, str(to_money(amount))]
                    for amount, name in sorted(items, key=lambda i: (-i[0], i[1]))[:TOP_INSTITUTIONS]]
        for person_id, items in by_person.items()
    }


def screening_run_fail(*, run_id: int) -> None:
    """A run whose task crashed before it could take the run: failed, with word why — never left
    queued with no word of what happened. (A run that crashed while it ran failed itself.)"""
    claimed = job_claim(ScreeningRun, run_id)
    if claimed is not None:
        job_fail(claimed, SCREENING_CRASHED, message=SCREENING_CRASHED, finished_at=timezone.now())
