"""The public pages, pre-rendered to files at publication: published statements never change, so
they are served the way static files are (nginx in production, a small file view otherwise).

Layout under PUBLIC_ROOT, one tree per language:
  <lang>/index.html                          the fund at a glance
  <lang>/statements/index.html               the list of published statements
  <lang>/statements/<n>/index.html           statement n
  statements/<n>/statement.json              the published document itself (the hashed bytes)
  statements/<n>/{income,payouts,pledges}.csv, statement.pdf
  statements/<n>/funnel.csv                  a year statement's funnel (content format 3 on)
Files are written to a temporary name and renamed, so a reader never sees half a file. What each
file must contain is recorded when it is written (disclosure/files.py): this module only renders.
"""
import csv
import io
import os
import tempfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from fundportal.csvsafe import safe_cell

from . import charts, funnel
from .annual import pages as annual_pages
from .models import Statement

LANGUAGES = ("zh-hans", "en")
AMOUNT_KEYS = {"amount", "total", "received", "outstanding", "entry"}
CSV_TABLES = {
    "income": (["日期", "捐赠方", "捐赠方类别", "金额（元）", "备注", "账目分录"],
               lambda c: c["income"]["rows"], ["date", "donor", "donor_kind", "amount", "note", "entry"],
               lambda c: c["income"]["total"]),
    "payouts": (["日期", "受助人", "乡镇（街道）", "认定类别", "金额（元）", "备注", "账目分录"],
                lambda c: c["payouts"]["rows"], ["date", "name", "town", "category", "amount", "note", "entry"],
                lambda c: c["payouts"]["total"]),
    "pledges": (["捐赠方", "签订日期", "认捐总额（元）", "已到账（元）", "未到账（元）"],
                lambda c: c["pledges"]["rows"], ["donor", "signed_on", "total", "received", "outstanding"],
                lambda c: c["pledges"]["outstanding"]),
}


def public_root() -> Path:
    return Path(settings.PUBLIC_ROOT)


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", delete=False) as temporary:
        temporary.write(data)
    os.chmod(temporary.name, 0o644)  # nginx reads them
    os.replace(temporary.name, path)


def csv_table(statement: Statement, table: str) -> bytes:
    """A table of the statement as CSV (UTF-8 with BOM for Excel): its rows only, so the amount
    column sums to the published total exactly."""
    header, rows, keys, _total = CSV_TABLES[table]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows(statement.content):  # text cells can never run as formulas; amounts stay numbers
        writer.writerow([row[key] if key in AMOUNT_KEYS else safe_cell(row[key]) for key in keys])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def statement_pdf(statement: Statement) -> bytes:
    """The statement to print (A4, Chinese), with its hash: the same masks as the page and CSV."""
    from weasyprint import HTML  # heavy: only at publication

    with translation.override("zh-hans"):
        if statement.kind == Statement.Kind.ANNUAL:
            html = render_to_string("disclosure/annual_report_pdf.html", annual_pages.report_context(statement))
        else:
            html = render_to_string("disclosure/statement_pdf.html", {"statement": statement,
                                                                       "content": statement.content,
                                                                       "funnel": funnel.funnel_shown(statement)})
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def statement_context(statement: Statement) -> dict:
    if statement.kind == Statement.Kind.ANNUAL:
        return annual_pages.report_context(statement)
    content = statement.content
    shown_funnel = funnel.funnel_shown(statement)
    corrections = list(Statement.objects.filter(corrects=statement, state=Statement.State.PUBLISHED)
                       .order_by("sequence"))
    return {"statement": statement, "content": content, "corrections": corrections,
            "funnel": shown_funnel, "funnel_chart": funnel.funnel_chart(shown_funnel),
            "tables": list(CSV_TABLES) if statement.kind != Statement.Kind.CORRECTION else [],
            "charts": {} if statement.kind == Statement.Kind.CORRECTION else {
                "by_town": charts.bars([(r["town"] or "—", Decimal(r["amount"])) for r in content["payouts"]["by_town"]],
                                       title=gettext("救助金按乡镇（街道）")),
                "by_category": charts.bars([(r["category"] or "—", Decimal(r["amount"]))
                                            for r in content["payouts"]["by_category"]],
                                           title=gettext("救助金按认定类别")),
                "by_kind": charts.bars([(r["donor_kind"], Decimal(r["amount"])) for r in content["income"]["by_kind"]],
                                       colour=charts.COLOURS["income"], title=gettext("捐赠收入按捐赠方类别")),
            }}


def _published():
    return Statement.objects.filter(state=Statement.State.PUBLISHED)


def _render(template: str, context, language: str, *, page: tuple) -> bytes:
    """`context` is a dict or a function making one (called in the language, for chart titles);
    `page` is (url name, *args): the same page in the other language is linked from the header."""
    other = "zh-hans" if language == "en" else "en"
    with translation.override(other):
        alternate = reverse(page[0], args=page[1:])
    with translation.override(language):
        values = context() if callable(context) else context
        return render_to_string(template, {**values, "LANGUAGE_CODE": language, "alternate": alternate}
                                ).encode("utf-8")


def statement_dir(statement: Statement) -> str:
    return f"statements/{statement.sequence}"


def page_path(language: str, statement: Statement) -> str:
    return f"{language}/statements/{statement.sequence}/index.html"


INDEX_PATHS = {f"{language}/{page}": (language, page) for language in LANGUAGES
               for page in ("index.html", "statements/index.html")}


def is_derived(path: str) -> bool:
    """The JSON and CSV files are the document's data, derived exactly from it (nothing else)."""
    return path.endswith((".json", ".csv"))


def file_bytes(statement: Statement, name: str) -> bytes:
    """One of a published statement's downloads."""
    if name == "statement.json":
        return statement.document.encode("utf-8")
    if name == "statement.pdf":
        return statement_pdf(statement)
    if name == FUNNEL_CSV:
        return funnel.funnel_csv(statement.content[funnel.SECTION])
    return csv_table(statement, name.removesuffix(".csv"))


FUNNEL_CSV = "funnel.csv"


def file_names(statement: Statement) -> list[str]:
    if statement.kind == Statement.Kind.ANNUAL:
        return ["statement.json", "statement.pdf"]
    tables = [] if statement.kind == Statement.Kind.CORRECTION else [f"{table}.csv" for table in CSV_TABLES]
    if funnel.SECTION in statement.content:
        tables.append(FUNNEL_CSV)
    return ["statement.json", *tables, "statement.pdf"]


def statement_page(statement: Statement, language: str) -> bytes:
    template = ("disclosure/annual_report.html" if statement.kind == Statement.Kind.ANNUAL
                else "disclosure/statement.html")
    return _render(template, lambda: statement_context(statement), language,
                   page=("disclosure:statement", statement.sequence))


def statement_renders(statement: Statement) -> dict[str, Callable[[], bytes]]:
    """Every public file of a statement, by path under PUBLIC_ROOT: what writes its bytes."""
    files = {f"{statement_dir(statement)}/{name}": (lambda name=name: file_bytes(statement, name))
             for name in file_names(statement)}
    for language in LANGUAGES:
        files[page_path(language, statement)] = lambda language=language: statement_page(statement, language)
    return files


def index_page(path: str) -> bytes:
    """The overview or the list, as the published statements make it now."""
    from .selectors import overview

    language, page = INDEX_PATHS[path]
    if page == "index.html":
        return _render("disclosure/overview.html", lambda: {"overview": overview()}, language,
                       page=("disclosure:overview",))
    statements = list(_published().order_by("-sequence"))
    return _render("disclosure/statement_list.html", {"statements": statements}, language,
                   page=("disclosure:statements",))


class NotAPlainFile(Exception):
    """A public path reached through a symbolic link, or not a regular file: never read, served or
    written through."""


def write(path: str, data: bytes) -> None:
    """Write a public file; never through a folder that is a symbolic link (it could point anywhere).
    A link standing where the file goes is replaced, not followed (the rename replaces the entry)."""
    folder = public_root()
    for part in path.split("/")[:-1]:
        folder = folder / part
        if folder.is_symlink():
            raise NotAPlainFile(path)
    _write(public_root() / path, data)
