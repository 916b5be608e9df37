"""The answer of the verify page and command: the hash chain recomputed from the stored documents,
and every public file against its record (disclosure/files.py).

The page may reuse an answer only while nothing it depends on has changed: it is cached under a key
made of every published row's version in the database (PostgreSQL's xmin changes with any write,
whoever makes it, even with the triggers disabled) and every public file's identity on disk (inode,
size, modification and change times — the change time cannot be set back by anyone editing a file).
Without such a key (SQLite, the embedded default) it is computed on every request."""
import hashlib

from django.conf import settings
from django.core.cache import cache
from django.db import connection

from . import pages
from .files import _files_on_disk, files_problems
from .services import chain_problems
from .transparency import keys
from .transparency.checks import log_problems

LOG_TABLES = ["disclosure_logleaf", "disclosure_lognode", "disclosure_logcheckpoint", "disclosure_cosignature",
              "disclosure_witnessattempt"]
CACHE_SECONDS = 3600  # the key changes with anything verified; this only bounds the memory used


def problems() -> list[str]:
    return chain_problems() + files_problems() + log_problems()


def state_key() -> str | None:
    """A fingerprint of everything the answer depends on, or None where the database gives none."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT string_agg(id::text || '.' || xmin::text, ',' ORDER BY id) FROM disclosure_statement),"
            " (SELECT string_agg(id::text || '.' || xmin::text, ',' ORDER BY id) FROM disclosure_publicfile),"
            " (SELECT string_agg(id::text || '.' || xmin::text, ',' ORDER BY id) FROM disclosure_chainhead)")
        rows = cursor.fetchone()
        # The log's tables are large and append-only: their count and the sum of their rows' xmin
        # change with any insert, and with any change (a changed row gets a newer transaction id).
        cursor.execute(" UNION ALL ".join(
            f"SELECT count(*)::text || '.' || coalesce(sum(xmin::text::bigint), 0)::text FROM {table}"
            for table in LOG_TABLES))
        rows = (*rows, *(row[0] for row in cursor.fetchall()))
    root = pages.public_root()
    files = []
    for path in sorted(_files_on_disk(root)):
        stat = path.lstat()  # the entry itself: a link is named by verify, never followed
        files.append(f"{path.relative_to(root).as_posix()}:{stat.st_ino}:{stat.st_size}:{stat.st_mtime_ns}"
                     f":{stat.st_ctime_ns}")
    trusted = [verifier.vkey for verifier in keys.log_verifiers()] + list(settings.TLOG_WITNESSES)
    state = "\n".join([connection.settings_dict["NAME"], str(root), *map(str, rows), *trusted, *files])
    return hashlib.sha256(state.encode("utf-8")).hexdigest()


def problems_for_page() -> tuple[list[str], str | None]:
    """(problems, the key they were computed under): computed unless this exact state was verified."""
    key = state_key()
    if key is None:
        return problems(), None
    found = cache.get(f"disclosure:verify:{key}")
    if found is None:
        found = problems()
        cache.set(f"disclosure:verify:{key}", found, CACHE_SECONDS)
    return found, key
