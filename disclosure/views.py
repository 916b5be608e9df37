"""Public views: the pre-rendered files (written at publication, rewritten here if missing) with
validators for caches, and the chain check. No login, no cookies; nothing here reads personal data."""
import logging
import mimetypes
from pathlib import Path

from django.http import FileResponse, Http404, HttpResponseNotModified
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from . import files, pages, verification
from .models import Statement

logger = logging.getLogger(__name__)
STATEMENT_FILES = {"statement.json", "statement.pdf", "income.csv", "payouts.csv", "pledges.csv"}


def _language(request) -> str:
    """The URL decides (/en/disclosure/… is English), as everywhere on the site."""
    return "en" if translation.get_language().startswith("en") else "zh-hans"


def _serve(request, path: Path, *, max_age: int, immutable: bool = False):
    """A file as nginx would serve it: ETag from modification time and size, 304 when unchanged."""
    stat = path.stat()
    etag = f'"{int(stat.st_mtime):x}-{stat.st_size:x}"'
    headers = {"ETag": etag, "Last-Modified": http_date(stat.st_mtime),
               "Cache-Control": f"public, max-age={max_age}" + (", immutable" if immutable else ""),
               }
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponseNotModified()
    else:
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind == "application/json":
            kind += "; charset=utf-8"
        response = FileResponse(path.open("rb"), content_type=kind)
        if path.suffix in (".csv", ".pdf"):
            response["Content-Disposition"] = f'attachment; filename="{path.parent.name}-{path.name}"'
    for name, value in headers.items():
        response[name] = value
    return response


def _ensure(path: Path, write) -> Path:
    """Serve what publication wrote; if the folder was lost, write it again as recorded (a file
    whose record the database no longer matches is not written: verify reports it)."""
    if not path.exists():
        for problem in write():
            logger.error("public file not restored: %s", problem)
    if not path.exists():
        raise Http404("没有这份公示")
    return path


@require_safe
def overview(request):
    path = pages.public_root() / _language(request) / "index.html"
    return _serve(request, _ensure(path, files.index_files_ensure), max_age=60)


@require_safe
def statement_list(request):
    path = pages.public_root() / _language(request) / "statements" / "index.html"
    return _serve(request, _ensure(path, files.index_files_ensure), max_age=60)


def _published(sequence: int) -> Statement:
    statement = Statement.objects.filter(state=Statement.State.PUBLISHED, sequence=sequence).first()
    if statement is None:
        raise Http404("没有这份公示")
    return statement


@require_safe
def statement_page(request, sequence: int):
    path = pages.public_root() / _language(request) / "statements" / str(sequence) / "index.html"
    # Not immutable: a correction notice published later is linked from the page.
    return _serve(request, _ensure(path, lambda: files.statement_files_ensure(_published(sequence))), max_age=60)


@require_safe
def statement_file(request, sequence: int, name: str):
    if name not in STATEMENT_FILES:
        raise Http404("没有这个文件")
    path = pages.public_root() / "statements" / str(sequence) / name
    if not path.exists():
        statement = _published(sequence)
        if name not in pages.file_names(statement):
            raise Http404("更正说明没有表格")  # before any writing: a wrong URL costs nothing
        for problem in files.statement_files_ensure(statement):
            logger.error("public file not restored: %s", problem)
    # A published statement's files never change: caches may keep them for a year.
    return _serve(request, _ensure(path, lambda: []), max_age=31536000, immutable=True)


@require_safe
def verify(request):
    """Computed when asked, or reused only for exactly the state it was computed in (a tamper
    changes that state, so the next request finds it). Caches must ask again every time."""
    problems, key = verification.problems_for_page()
    etag = f'"{key}-{_language(request)}"' if key else None
    if etag and request.headers.get("If-None-Match") == etag:
        response = HttpResponseNotModified()
    else:
        count = Statement.objects.filter(state=Statement.State.PUBLISHED).count()
        other = "zh-hans" if _language(request) == "en" else "en"
        with translation.override(other):
            alternate = reverse("disclosure:verify")
        response = render(request, "disclosure/verify.html", {"problems": problems, "count": count,
                                                              "alternate": alternate})
    if etag:
        response["ETag"] = etag
    response["Cache-Control"] = "public, no-cache"
    return response
