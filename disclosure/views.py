"""Public views: the pre-rendered files (written at publication, rewritten here if missing) with
validators for caches, and the chain check. No login, no cookies; nothing here reads personal data."""
import mimetypes
from pathlib import Path

from django.http import FileResponse, Http404, HttpResponseNotModified
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.http import http_date
from django.views.decorators.cache import cache_page
from django.views.decorators.http import require_safe

from . import pages
from .models import Statement
from .services import chain_problems

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
    """Serve what publication wrote; if the folder was lost, write it again from the database."""
    if not path.exists():
        write()
    if not path.exists():
        raise Http404("没有这份公示")
    return path


@require_safe
def overview(request):
    path = pages.public_root() / _language(request) / "index.html"
    return _serve(request, _ensure(path, pages.index_files_write), max_age=60)


@require_safe
def statement_list(request):
    path = pages.public_root() / _language(request) / "statements" / "index.html"
    return _serve(request, _ensure(path, pages.index_files_write), max_age=60)


def _published(sequence: int) -> Statement:
    statement = Statement.objects.filter(state=Statement.State.PUBLISHED, sequence=sequence).only("pk", "kind").first()
    if statement is None:
        raise Http404("没有这份公示")
    return statement


@require_safe
def statement_page(request, sequence: int):
    path = pages.public_root() / _language(request) / "statements" / str(sequence) / "index.html"
    if not path.exists():
        pages.statement_files_write(statement_id=_published(sequence).pk)
    # Not immutable: a correction notice published later is linked from the page.
    return _serve(request, _ensure(path, lambda: None), max_age=60)


@require_safe
def statement_file(request, sequence: int, name: str):
    if name not in STATEMENT_FILES:
        raise Http404("没有这个文件")
    path = pages.public_root() / "statements" / str(sequence) / name
    if not path.exists():
        statement = _published(sequence)
        if name.endswith(".csv") and statement.kind == Statement.Kind.CORRECTION:
            raise Http404("更正说明没有表格")  # before any writing: a wrong URL costs nothing
        pages.statement_file_write(statement_id=statement.pk, name=name)
    # A published statement's files never change: caches may keep them for a year.
    return _serve(request, _ensure(path, lambda: None), max_age=31536000, immutable=True)


@require_safe
@cache_page(60)
def verify(request):
    problems = chain_problems() + pages.files_problems()
    count = Statement.objects.filter(state=Statement.State.PUBLISHED).count()
    other = "zh-hans" if _language(request) == "en" else "en"
    with translation.override(other):
        alternate = reverse("disclosure:verify")
    return render(request, "disclosure/verify.html", {"problems": problems, "count": count, "alternate": alternate})
