"""Settlement imports: create the job, run it (Celery or command line), report progress."""
import logging
import time
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from fundportal.audit import records_actor
from fundportal.queue import send_on_commit

from .importing.columns import ImportFileError, headings_of, map_header
from .importing.reader import is_xlsx, open_xlsx, read_header
from .models import SettlementImport

logger = logging.getLogger(__name__)
PROGRESS_KEY = "settlement-import:{}:progress"


def import_progress(job_id: int) -> dict:
    return cache.get(PROGRESS_KEY.format(job_id)) or {}


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
                             file_name: str = "") -> SettlementImport:
    """Register an import. An uploaded file is kept (private storage) for the worker to read."""
    first_year, this_year = settings.DATA_EARLIEST_DATE.year, timezone.localdate().year
    if not first_year <= year <= this_year:
        raise ValidationError({"year": f"年度应在 {first_year} 至 {this_year} 之间"})
    job = SettlementImport(year=year, created_by=acting_user, file_name=(upload.name if upload else file_name)[:200])
    if upload is not None:
        job.file.save(Path(upload.name).name, upload, save=False)
    job.save()
    if upload is not None:
        from .tasks import settlement_import_task

        send_on_commit(settlement_import_task, job.pk)  # a broker outage leaves the job pending, no error page
    return job


def settlement_import_run(*, job: SettlementImport, path: Path | None = None) -> SettlementImport:
    """Load the job's file. All rows or none: a killed run leaves nothing and can simply run again."""
    path = Path(path or job.file.path)
    if job.status == SettlementImport.Status.DONE:
        return job  # idempotent: a redelivered task does nothing
    started = time.monotonic()
    today = timezone.localdate()

    def progress(phase: str, processed: int) -> None:
        cache.set(PROGRESS_KEY.format(job.pk), {"phase": phase, "processed": processed, "total": total}, 3600)

    try:
        total = _estimate_rows(path)
    except Exception:  # a broken or refused .xlsx: reported in Chinese below, when its header is read
        total = 0
    SettlementImport.objects.filter(pk=job.pk).exclude(status=SettlementImport.Status.DONE).update(
        status=SettlementImport.Status.RUNNING, rows_total=total)
    progress("排队中", 0)
    try:
        header = read_header(path)
        positions = map_header(header)
        loader = _loader()
        with transaction.atomic():
            try:
                # One runner per job: a redelivered task finds the row locked and leaves.
                locked = SettlementImport.objects.select_for_update(nowait=True).get(pk=job.pk)
            except DatabaseError:
                logger.info("settlement import %s is already running", job.pk)
                return job
            if locked.status == SettlementImport.Status.DONE:  # another runner finished it meanwhile
                job.refresh_from_db()
                return job
            job.errors.all().delete()
            result = loader.load(job=job, path=path, positions=positions, width=len(header), year=job.year,
                                 headings=headings_of(header, positions),
                                 today=today, progress=progress)
            _finish(job, status=SettlementImport.Status.DONE, started=started, result=result,
                    message=f"导入 {result.rows_imported} 行，错误 {result.rows_rejected} 行，"
                            f"未变化 {result.rows_unchanged} 行，新增人员 {result.people_created} 人")
    except ImportFileError as exc:
        _finish(job, status=SettlementImport.Status.FAILED, started=started, message=str(exc))
    except Exception:
        logger.exception("settlement import %s failed", job.pk)
        _finish(job, status=SettlementImport.Status.FAILED, started=started,
                message="导入失败：系统内部错误，已全部回滚，没有写入任何数据。请联系管理员后重试。")
        raise
    progress("已完成", job.rows_total)
    return job


def _loader():
    """The PostgreSQL loader (polars) or the portable one. Imported here, not at start-up: web
    processes never load polars, and Celery's parent process forks its workers before polars has
    started a thread (forking a process that has them can deadlock the child)."""
    if connection.vendor == "postgresql":
        from .importing import postgres

        return postgres
    from .importing import python

    return python


def _finish(job: SettlementImport, *, status: str, started: float, message: str, result=None) -> None:
    job.status = status
    job.message = message
    job.seconds = Decimal(f"{time.monotonic() - started:.2f}")
    job.finished_at = timezone.now()
    fields = ["status", "message", "seconds", "finished_at"]
    if result is not None:
        job.rows_total, job.rows_imported = result.rows_total, result.rows_imported
        job.rows_rejected, job.rows_unchanged = result.rows_rejected, result.rows_unchanged
        job.people_created = result.people_created
        fields += ["rows_total", "rows_imported", "rows_rejected", "rows_unchanged", "people_created"]
    job.save(update_fields=fields)


