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
- Serving (views.py) answers only a recorded path, with bytes that hash to its record: the file on
  disk if it is one (read without following a symbolic link), else the recorded bytes. A file
  dropped into the folder is never served by Django; nginx, which serves the folder directly, does
  not follow links either (deploy/nginx), and `write_public_files` sets foreign files aside.
"""
import errno
import hashlib
import logging
import os
import stat
from collections.abc import Callable
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from . import pages
from .models import ChainHead, PublicFile, Statement
from .pages import NotAPlainFile
from .transparency.leaves import file_leaf
from .transparency.log import log_append

logger = logging.getLogger(__name__)


SET_ASIDE = ".foreign"  # under PUBLIC_ROOT: hidden, so no URL maps to it (nginx's map, Django's views)


class RecordMismatch(Exception):
    """What would be written differs from the record: the database was changed after publication."""


def read_plain(path: str) -> bytes | None:
    """The bytes of the file at `path` under the public folder, or None if there is none. Opened one
    component at a time, each relative to the last and with O_NOFOLLOW, so no symbolic link is
    followed — not even one swapped in while this runs. Raises NotAPlainFile for a link anywhere on
    the way, or for something that is not a regular file (a FIFO is opened without blocking)."""
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(pages.public_root(), os.O_RDONLY | os.O_DIRECTORY)
    except FileNotFoundError:
        return None
    try:
        *folders, name = path.split("/")
        for part in folders:
            folder = os.open(part, flags | os.O_DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd = folder
        file = os.open(name, flags, dir_fd=fd)
    except FileNotFoundError:
        os.close(fd)
        return None
    except OSError as exc:
        os.close(fd)
        if exc.errno in (errno.ELOOP, errno.ENOTDIR, errno.EISDIR, errno.ENXIO):
            raise NotAPlainFile(path) from None
        raise
    os.close(fd)
    with os.fdopen(file, "rb") as opened:
        if not stat.S_ISREG(os.fstat(opened.fileno()).st_mode):
            raise NotAPlainFile(path)
        return opened.read()


def latest_record(path: str) -> PublicFile | None:
    """The latest record of one path (without the stored bytes), or None if nothing wrote it."""
    return PublicFile.objects.defer("content").select_related("statement").filter(path=path).order_by(
        "-version").first()


def served_bytes(record: PublicFile) -> bytes | None:
    """What to answer for a recorded path: bytes that hash to its record, or None if there are none.
    The file on disk when it is the recorded file; else the recorded bytes (and a missing file is
    written again). A file changed on disk or reached through a link is not served (verify names it)."""
    try:
        data = read_plain(record.path)
    except NotAPlainFile:
        logger.error("public file %s is reached through a symbolic link or is not a file: not served", record.path)
        data, linked = None, True
    else:
        linked = False
        if data is not None and sha256(data) == record.sha256:
            return data
        if data is not None:
            logger.error("public file %s differs from its record: serving the recorded bytes", record.path)
    try:
        recorded = recorded_bytes(record)
    except RecordMismatch as exc:
        logger.error("public file not served: %s", exc)
        return None
    if data is None and not linked:
        pages.write(record.path, recorded)
    return recorded


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
    ChainHead.locked()


def _record(renders: dict[str, tuple[Statement | None, bytes]]) -> None:
    """A new version for each path whose bytes are not those of its latest record. Inside _lock()."""
    latest = _latest(paths=renders)
    now = timezone.now()
    records = PublicFile.objects.bulk_create(
        PublicFile(path=path, version=latest[path].version + 1 if path in latest else 1, statement=statement,
                   sha256=sha256(data), size=len(data), content=b"" if pages.is_derived(path) else data,
                   written_at=now)
        for path, (statement, data) in sorted(renders.items())
        if path not in latest or latest[path].sha256 != sha256(data))
    # Each new version's hash goes into the transparency log, so a file is checkable from outside.
    log_append([file_leaf(record) for record in records], must_sign=False)


def _write_all(renders: dict[str, tuple[Statement | None, bytes]]) -> None:
    for path, (_statement, data) in renders.items():
        try:
            pages.write(path, data)
        except NotAPlainFile:  # recorded all the same: served from the record, named by verify
            logger.error("public file %s not written: a folder on its way is a symbolic link", path)


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
        try:
            data = read_plain(path)
        except NotAPlainFile:
            data = None  # a link where the file should be: replaced by the file
        else:
            if data is not None and (not repair or sha256(data) == record.sha256):
                continue
        try:
            pages.write(path, recorded_bytes(record))
        except RecordMismatch as exc:
            problems.append(str(exc))
        except NotAPlainFile:
            problems.append(f"{label(path, record.statement)}：所在目录是符号链接，未重写"
                            f"（可用 write_public_files 移开后恢复）")
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


def all_files_write() -> tuple[int, list[str], list[str]]:
    """The public folder back to what publication wrote (after a deployment, a lost folder, a file
    edited on disk, something dropped into it). First every entry no publication wrote — a file, a
    symbolic link — is moved aside into SET_ASIDE, out of every URL: nginx serves the folder as it
    is, so a foreign file stays public until it is taken out, and it is kept, not deleted, so that
    whoever looks into how it got there has it. Then every recorded file is written again to its
    record. Returns the number of statements, the problems (files whose record the database no
    longer matches, left as they are) and where the foreign entries went."""
    set_aside = foreign_files_set_aside()
    problems, count = [], 0
    for statement in _published().select_related("previous", "corrects").order_by("sequence"):
        problems += statement_files_ensure(statement, repair=True)
        count += 1
    return count, problems + index_files_ensure(repair=True), set_aside


def _foreign(root: Path, latest: dict[str, PublicFile]) -> list[str]:
    """The entries under the public folder that no publication wrote: unrecorded files, and any
    symbolic link not standing where a recorded file should (those are reported, then replaced)."""
    return sorted(path for path in (entry.relative_to(root).as_posix() for entry in _files_on_disk(root))
                  if path not in latest)


def foreign_files_set_aside() -> list[str]:
    """Move what no publication wrote into SET_ASIDE/<time>/, keeping its path. Returns, for each
    entry, its path and where it went."""
    root = pages.public_root()
    foreign = _foreign(root, _latest())
    if not foreign:
        return []
    folder = Path(SET_ASIDE) / timezone.now().strftime("%Y%m%d-%H%M%S-%f")
    moved = []
    for path in foreign:
        target = root / folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        os.rename(root / path, target)  # the entry itself: a link is moved, never followed
        moved.append(f"{path} → {(folder / path).as_posix()}")
    return moved


def files_problems() -> list[str]:
    """Every file on disk against its latest record, the database against the records, and files
    that no publication wrote. A missing file is fine: it is written again on first request."""
    root = pages.public_root()
    latest = _latest()
    problems = []
    for path, record in sorted(latest.items()):
        try:
            data = read_plain(path)
        except NotAPlainFile:
            problems.append(f"{label(path, record.statement)}：是符号链接或经过符号链接，不是发布时写出的文件"
                            f"（可用 write_public_files 恢复）")
        else:
            if data is not None and sha256(data) != record.sha256:
                problems.append(f"{label(path, record.statement)}：与发布时记录的哈希不符，文件在发布后被改动过"
                                f"（可用 write_public_files 恢复）")
        try:
            recorded_bytes(record)
        except RecordMismatch as exc:
            problems.append(str(exc))
    problems += [f"公开文件目录中的 {path} 不是发布时写出的文件（可用 write_public_files 移出）"
                 for path in _foreign(root, latest)]
    return problems


def _files_on_disk(root: Path) -> list[Path]:
    """The entries under the public folder that are not folders — files, symbolic links (to a
    folder too), anything else — found without following a link, and without hidden names (the
    temporary files a writer is renaming, the SET_ASIDE folder)."""
    found = []
    for folder, folders, names in os.walk(root, followlinks=False):  # a missing root yields nothing
        here = Path(folder)
        found += [here / name for name in folders if not name.startswith(".") and (here / name).is_symlink()]
        folders[:] = [name for name in folders if not name.startswith(".")]
        found += [here / name for name in names if not name.startswith(".")]
    return found
