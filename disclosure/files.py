"""The public files' record: every file written under PUBLIC_ROOT is recorded (`PublicFile`: its
SHA-256, and a rendered file's bytes) in the transaction that decides to write it, and is only ever
written again to the bytes of its latest record.

- A publication records its statement's files, the page of the statement it corrects (which now
  links the correction), the overview and the list — once; a file never written before (the write
  after the commit failed, or the folder is new) is recorded at its first writing.
- Anything else that writes (a page asked for while missing, `write_public_files`) restores the
  recorded bytes: a rendered page or PDF from its stored bytes (so a new template, catalogue or
  static file name after a deployment never changes a published page), a JSON or CSV file derived
  again from the database. If what it would write does not hash to the record, the database was
  changed after publication: that is reported and nothing is written — never recorded over.
- `files_problems` compares every file on disk with its record, the database with the records,
  and reports files on disk that no publication wrote.
"""
import hashlib
import logging
from collections.abc import Callable
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from . import pages
from .models import PublicFile, Statement

logger = logging.getLogger(__name__)


class RecordMismatch(Exception):
    """What would be written differs from the record: the database was changed after publication."""


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def label(path: str, statement: Statement | None) -> str:
    """How a problem names a file: the statement it belongs to, and its path under the public folder."""
    if statement is not None:
        return f"第 {statement.sequence} 号的公开文件 {path}"
    return f"公开页面 {path}"


def _published():
    return Statement.objects.filter(state=Statement.State.PUBLISHED)


def _latest(*, paths=None, statement: Statement | None = None) -> dict[str, PublicFile]:
    """The latest record of each path (without the stored bytes), with its statement attached."""
    records = PublicFile.objects.defer("content").order_by("path", "-version")
    if paths is not None:
        records = records.filter(path__in=list(paths))
    if statement is not None:
        records = records.filter(statement=statement)
    latest: dict[str, PublicFile] = {}
    for record in records:
        latest.setdefault(record.path, record)
    statements = _published().select_related("corrects").in_bulk(
        {record.statement_id for record in latest.values() if record.statement_id})
    for record in latest.values():
        if record.statement_id:
            record.statement = statements.get(record.statement_id) or record.statement
    return latest


def _lock() -> None:
    """The chain head's lock: recordings, like publications, happen one at a time (versions never
    collide, and the overview recorded last is the one made after the last publication)."""
    from .services import _chain_head

    _chain_head()


def _record(renders: dict[str, tuple[Statement | None, bytes]]) -> None:
    """A new version for each path whose bytes are not those of its latest record. Inside _lock()."""
    latest = _latest(paths=renders)
    now = timezone.now()
    PublicFile.objects.bulk_create(
        PublicFile(path=path, version=latest[path].version + 1 if path in latest else 1, statement=statement,
                   sha256=sha256(data), size=len(data), content=b"" if pages.is_derived(path) else data,
                   written_at=now)
        for path, (statement, data) in renders.items()
        if path not in latest or latest[path].sha256 != sha256(data))


def _write_all(renders: dict[str, tuple[Statement | None, bytes]]) -> None:
    for path, (_statement, data) in renders.items():
        pages.write(path, data)


def recorded_bytes(record: PublicFile) -> bytes:
    """The bytes a file must have: derived again (JSON, CSV) or as stored (pages, PDF), checked
    against the record's hash. Raises RecordMismatch if they differ."""
    if pages.is_derived(record.path):
        data = pages.file_bytes(record.statement, record.path.rsplit("/", 1)[1])
        if sha256(data) != record.sha256:
            raise RecordMismatch(f"{label(record.path, record.statement)}：按数据库中的公示内容生成的文件"
                                 f"与发布时记录的哈希不符，数据库中的内容在发布后被改动过（未重写）")
        return data
    data = bytes(PublicFile.objects.filter(pk=record.pk).values_list("content", flat=True).get())
    if sha256(data) != record.sha256:
        raise RecordMismatch(f"{label(record.path, record.statement)}：数据库中保存的文件内容与记录的哈希不符，"
                             f"记录在发布后被改动过（未重写）")
    return data


def publication_files_write(*, statement_id: int) -> None:
    """Record and write everything a publication changes, once per statement (a statement whose
    files are recorded already only has its missing files restored)."""
    with transaction.atomic():
        _lock()
        statement = _published().select_related("previous", "corrects").get(pk=statement_id)
        if statement.public_files.exists():
            renders = None
        else:
            renders = {path: (statement, render()) for path, render in pages.statement_renders(statement).items()}
            if corrected := statement.corrects:
                for language in pages.LANGUAGES:
                    renders[pages.page_path(language, corrected)] = (corrected,
                                                                    pages.statement_page(corrected, language))
            renders.update({path: (None, pages.index_page(path)) for path in pages.INDEX_PATHS})
            _record(renders)
    if renders is None:
        statement_files_ensure(statement)
    else:
        _write_all(renders)


def publication_files_write_after_commit(*, statement_id: int) -> None:
    """Called once the publication has committed. A failure here loses nothing: the statement is
    published, and its pages record and write their files on first request."""
    try:
        publication_files_write(statement_id=statement_id)
    except Exception:
        logger.exception("writing the public files of statement %s failed; they will be written on demand",
                         statement_id)


def _restore(latest: dict[str, PublicFile], *, repair: bool) -> list[str]:
    """Write each recorded file that is missing (and, to repair, each that differs from its record)."""
    problems = []
    for path, record in latest.items():
        target = pages.public_root() / path
        if target.exists() and (not repair or sha256(target.read_bytes()) == record.sha256):
            continue
        try:
            pages.write(path, recorded_bytes(record))
        except RecordMismatch as exc:
            problems.append(str(exc))
    return problems


def _first_writes(wanted: dict[str, tuple[Statement | None, Callable[[], bytes]]]) -> None:
    """Record and write the files that were never recorded (and only those)."""
    with transaction.atomic():
        _lock()
        unrecorded = set(wanted) - set(_latest(paths=wanted))
        renders = {path: (wanted[path][0], wanted[path][1]()) for path in unrecorded}
        _record(renders)
    _write_all(renders)


def statement_files_ensure(statement: Statement, *, repair: bool = False) -> list[str]:
    """A published statement's files on disk as recorded; returns the problems (files not written)."""
    if not statement.public_files.exists():
        publication_files_write(statement_id=statement.pk)
        return []
    wanted = {path: (statement, render) for path, render in pages.statement_renders(statement).items()}
    if set(wanted) - set(_latest(paths=wanted)):
        _first_writes(wanted)
    return _restore(_latest(paths=wanted), repair=repair)


def index_files_ensure(*, repair: bool = False) -> list[str]:
    """The overview and the list on disk as recorded (recorded at their first writing)."""
    wanted = {path: (None, lambda path=path: pages.index_page(path)) for path in pages.INDEX_PATHS}
    if set(wanted) - set(_latest(paths=wanted)):
        _first_writes(wanted)
    return _restore(_latest(paths=wanted), repair=repair)


def all_files_write() -> tuple[int, list[str]]:
    """Every public file back to its record (after a deployment, a lost folder, a file edited on
    disk). Returns the number of statements and the problems: files whose record the database no
    longer matches, which are left as they are."""
    problems, count = [], 0
    for statement in _published().select_related("previous", "corrects").order_by("sequence"):
        problems += statement_files_ensure(statement, repair=True)
        count += 1
    return count, problems + index_files_ensure(repair=True)


def files_problems() -> list[str]:
    """Every file on disk against its latest record, the database against the records, and files
    that no publication wrote. A missing file is fine: it is written again on first request."""
    root = pages.public_root()
    latest = _latest()
    problems = []
    for path, record in sorted(latest.items()):
        target = root / path
        if target.exists() and sha256(target.read_bytes()) != record.sha256:
            problems.append(f"{label(path, record.statement)}：与发布时记录的哈希不符，文件在发布后被改动过"
                            f"（可用 write_public_files 恢复）")
        try:
            recorded_bytes(record)
        except RecordMismatch as exc:
            problems.append(str(exc))
    for target in sorted(_files_on_disk(root)):
        path = target.relative_to(root).as_posix()
        if path not in latest:
            problems.append(f"公开文件目录中的 {path} 不是发布时写出的文件")
    return problems


def _files_on_disk(root: Path) -> list[Path]:
    """The files under the public folder, without the temporary ones a writer is renaming."""
    if not root.exists():
        return []
    return [path for path in root.rglob("*") if path.is_file() and not path.name.startswith(".")]
