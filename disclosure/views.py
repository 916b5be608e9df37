"""Public views: the pre-rendered files (written at publication, rewritten here if missing) with
validators for caches, the chain check, and the public scheme page (rendered when asked, from the
approved scheme). No login, no cookies; nothing here reads personal data.

Only what a publication recorded is answered (disclosure.PublicFile), with bytes that hash to the
record (disclosure/files.py `served_bytes`): a file dropped into the public folder, or a symbolic
link there, is never served from here."""
import io
import logging
import mimetypes

from django.http import FileResponse, Http404, HttpResponseNotModified
from django.shortcuts import render
from django.urls import reverse, translate_url
from django.utils import translation
from django.utils.http import http_date
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from . import files, pages, scheme_page, verification
from .models import Statement
from .transparency.status import log_status

logger = logging.getLogger(__name__)
STATEMENT_FILES = {"statement.json", "statement.pdf", "income.csv", "payouts.csv", "pledges.csv", "funnel.csv"}


def _language(request) -> str:
    """The URL decides (/en/disclosure/… is English), as everywhere on the site."""
    return "en" if translation.get_language().startswith("en") else "zh-hans"


def _serve(request, path: str, write, *, max_age: int, immutable: bool = False):
    """The recorded file at `path` (under PUBLIC_ROOT), as nginx would serve it: an ETag (the
    recorded hash), 304 when unchanged. `write` records and writes it if it was never recorded
    (the first request after a publication whose writing failed); it returns the problems."""
    record = files.latest_record(path)
    if record is None:
        for problem in write():
            logger.error("public file not restored: %s", problem)
        record = files.latest_record(path)
    if record is None:
        raise Http404("没有这份公示")
    etag = f'"{record.sha256[:32]}"'
    headers = {"ETag": etag, "Last-Modified": http_date(record.written_at.timestamp()),
               "Cache-Control": f"public, max-age={max_age}" + (", immutable" if immutable else "")}
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponseNotModified()
    else:
        data = files.served_bytes(record)
        if data is None:  # neither the file nor the database gives the published bytes: verify names it
            raise Http404("没有这份公示")
        name = path.rsplit("/", 1)[1]
        kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind == "application/json":
            kind += "; charset=utf-8"
        response = FileResponse(io.BytesIO(data), content_type=kind)
        if name.endswith((".csv", ".pdf")):
            response["Content-Disposition"] = f'attachment; filename="{path.split("/")[-2]}-{name}"'
    for header, value in headers.items():
        response[header] = value
    return response


@require_safe
def overview(request):
    return _serve(request, f"{_language(request)}/index.html", files.index_files_ensure, max_age=60)


@require_safe
def statement_list(request):
    return _serve(request, f"{_language(request)}/statements/index.html", files.index_files_ensure, max_age=60)


def _published(sequence: int) -> Statement:
    statement = Statement.objects.filter(state=Statement.State.PUBLISHED, sequence=sequence).first()
    if statement is None:
        raise Http404("没有这份公示")
    return statement


@require_safe
def statement_page(request, sequence: int):
    # Not immutable: a correction notice published later is linked from the page.
    return _serve(request, f"{_language(request)}/statements/{sequence}/index.html",
                  lambda: files.statement_files_ensure(_published(sequence)), max_age=60)


@require_safe
def statement_file(request, sequence: int, name: str):
    if name not in STATEMENT_FILES:
        raise Http404("没有这个文件")

    def write():
        statement = _published(sequence)
        if name not in pages.file_names(statement):
            raise Http404("这份公示没有这个文件")  # before any writing: a wrong URL costs nothing
        return files.statement_files_ensure(statement)

    # A published statement's files never change: caches may keep them for a year.
    return _serve(request, f"statements/{sequence}/{name}", write, max_age=31536000, immutable=True)


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
                                                              "alternate": alternate, "log": log_status()})
    if etag:
        response["ETag"] = etag
    response["Cache-Control"] = "public, no-cache"
    return response


def _scheme(request, scheme):
    """A scheme's public page: rendered when asked (it is no statement), for everyone the same (no
    cookie), and cached a minute: approving a new version changes which one is in force."""
    if scheme is None:
        raise Http404("尚无经理事会批准的救助方案")
    other = "zh-hans" if _language(request) == "en" else "en"
    return render(request, "disclosure/scheme.html", {"shown": scheme_page.scheme_shown(scheme),
                                                      "alternate": translate_url(request.path, other)})


@require_safe
@cache_control(public=True, max_age=60)
def scheme(request):
    """The scheme in force (disclosure/scheme_page.py)."""
    return _scheme(request, scheme_page.scheme_in_force())


@require_safe
@cache_control(public=True, max_age=60)
def scheme_version(request, year: int, version: int):
    """Any approved version (a draft is never public)."""
    return _scheme(request, scheme_page.scheme_approved(year, version))
