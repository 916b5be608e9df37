"""Writing statements: request a build, build (in a Celery task), publish into the hash chain,
publish a correction notice, and verify the chain.

Building is a long job (fundportal/jobs.py) and idempotent: one statement per (kind, period),
rebuilt in place until published, its content written in one save at the end — a worker killed
half-way leaves it "building" with its old content, and the core's requeue builds it again; a run
that lost its statement to a newer run writes nothing. Every change of state goes through
fundportal.states against Statement.MOVES. Publishing takes the chain head's row lock, so two
publications at the same moment are serialised and never point at the same predecessor (the
database's one-to-one `previous` is the backstop).
"""
import datetime as dt
import hashlib
import json
import time

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext

from fundportal.audit import records_actor
from fundportal.jobs import job_progress, job_queue, job_run, job_send, jobs_requeue
from fundportal.services import fund_account_lock, fund_period_close
from fundportal.states import state_create, state_move

from . import funnel
from .content import STEPS, canonical, period_for, statement_content
from .publicity import SECTION
from .files import publication_files_write_after_commit
from .labels import label_shown
from .models import ChainHead, Statement
from .transparency.keys import KeyMissing
from .transparency.leaves import statement_leaves
from .transparency.log import log_append

Kind = Statement.Kind
State = Statement.State
QUARTERS = "一二三四"


def previous_period(kind: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """The last complete month, quarter or year before `today` (what the 1st's schedule builds)."""
    start, _end = period_for(kind, today)
    return period_for(kind, start - dt.timedelta(days=1))


def title_for(kind: str, start: dt.date, end: dt.date) -> str:
    if kind == Kind.MONTH:
        return f"{start.year}年{start.month}月收支公示"
    if kind == Kind.QUARTER:
        return f"{start.year}年第{QUARTERS[(start.month - 1) // 3]}季度收支公示"
    if kind == Kind.YEAR:
        return f"{start.year}年度收支公示"
    return f"{start:%Y-%m-%d}至{end:%Y-%m-%d}收支公示"


def title_shown(statement: Statement) -> str:
    """The title in the reader's language (the published title, in the document, stays Chinese)."""
    if not translation.get_language().startswith("en"):
        return statement.title
    start, end = statement.period_start, statement.period_end
    if statement.kind == Kind.MONTH:
        # The month as the language writes it: "September 2023" (never "2023-9").
        return gettext("%(month)s收支公示") % {"month": formats.date_format(start, "YEAR_MONTH_FORMAT")}
    if statement.kind == Kind.QUARTER:
        return gettext("%(year)s年第%(quarter)s季度收支公示") % {"year": start.year,
                                                            "quarter": (start.month - 1) // 3 + 1}
    if statement.kind == Kind.YEAR:
        return gettext("%(year)s年度收支公示") % {"year": start.year}
    if statement.kind == Kind.ANNUAL:
        return label_shown("%(year)s年度工作报告及财务会计报告") % {"year": start.year}
    if statement.kind == Kind.CUSTOM:
        return gettext("%(start)s至%(end)s收支公示") % {"start": start.isoformat(), "end": end.isoformat()}
    corrected = statement.corrects
    return gettext("关于《%(title)s》的更正说明") % {"title": title_shown(corrected) if corrected else ""}


def fund_first_day(kind: str) -> dt.date:
    """The earliest day a statement of this kind may start: the first day of the month, quarter
    or year in which the fund started (a calendar period holding its first day is whole), and the
    fund's first day itself for a custom period."""
    if kind in (Kind.MONTH, Kind.QUARTER, Kind.YEAR):
        return period_for(kind, settings.FUND_START_DATE)[0]
    return settings.FUND_START_DATE


def period_error(kind: str, start: dt.date, end: dt.date) -> str | None:
    """Why a statement may not cover this period, or None. The rule: a statement covers a whole
    calendar period (or a custom one) within the fund's life — from the period holding the fund's
    first day — that has ended: it ends before today (a period still running has no final figures)."""
    if kind not in (Kind.MONTH, Kind.QUARTER, Kind.YEAR, Kind.CUSTOM):
        return "公示类型无效"
    if start > end:
        return "期间开始日期不能晚于结束日期"
    if kind != Kind.CUSTOM and period_for(kind, start) != (start, end):
        return "期间与公示类型不符：月度、季度、年度公示须为完整的自然月、季、年"
    if start < (first := fund_first_day(kind)):
        return (f"期间早于基金设立：基金于 {settings.FUND_START_DATE:%Y-%m-%d} 设立，"
                f"公示期间最早从 {first:%Y-%m-%d} 开始")
    if end >= timezone.localdate():
        return "只能公示已经结束的期间（结束日期须早于今天）"
    return None


def _check_period(kind: str, start: dt.date, end: dt.date) -> None:
    if message := period_error(kind, start, end):
        raise ValidationError(message)


@records_actor
@transaction.atomic
def statement_request(*, kind: str, period_start: dt.date, period_end: dt.date, acting_user) -> Statement:
    """Ask for a statement to be built (or rebuilt) by Celery. A period has one statement: asking
    again queues the same one again, unless it is published or already being built."""
    if acting_user is not None and not acting_user.has_perm("disclosure.add_statement"):
        raise PermissionDenied("您没有生成收支公示的权限")
    _check_period(kind, period_start, period_end)
    statement, created = Statement.objects.select_for_update().get_or_create(
        kind=kind, period_start=period_start, period_end=period_end,
        defaults={"title": title_for(kind, period_start, period_end), "requested_by": acting_user})
    if created:
        job_send(statement)  # with the broker down it waits, queued, for the requeue
        return statement
    if statement.state == State.PUBLISHED:
        raise ValidationError(f"“{statement.title}”已发布，不能重新生成；如有错误请发布更正说明")
    recent = statement.touched_at > timezone.now() - dt.timedelta(minutes=1)
    if statement.state in (State.QUEUED, State.BUILDING) and recent:
        return statement  # already on its way: no second task (an old one is sent again below)
    if statement.state == State.QUEUED:  # waited over a minute: its send may have failed
        statement.requested_by = acting_user
        statement.save(update_fields=["requested_by", "touched_at"])
        job_send(statement)
        return statement
    return job_queue(statement, acting_user=acting_user, requested_by=acting_user)


def statements_requeue(*, stale_after: dt.timedelta = Statement.STALE_AFTER) -> list[int]:
    """Send again the builds that wait: queued while the broker was down, or left "building" by a
    worker that died (no progress for `stale_after`). The core's beat task does this for every long
    job (fundportal.tasks.jobs_requeue_task); this is the statements' part. Returns their ids."""
    return jobs_requeue(Statement, stale_after=stale_after)


def _build(statement: Statement) -> dict:
    """The work of one build run: the content, step by step (each step its progress and heartbeat)."""
    # Checked here too: a statement queued before the rule, or written past statement_request,
    # must not be built (and so cannot be published).
    if message := period_error(statement.kind, statement.period_start, statement.period_end):
        raise ValidationError(message)
    job_progress(statement, 0, total=STEPS)

    def step(done: int) -> None:
        job_progress(statement, done)
        if settings.DISCLOSURE_BUILD_PAUSE:  # fault drills only: a worker killed mid-build
            time.sleep(settings.DISCLOSURE_BUILD_PAUSE)

    content = statement_content(statement.period_start, statement.period_end, kind=statement.kind, on_step=step)
    return {"content": content, "steps_done": STEPS, "built_at": timezone.now(), "error": ""}


def statement_build(*, statement_id: int) -> Statement:
    """Build the content (the Celery task's body). Safe to run twice, at once and after a crash:
    only a queued statement is built (a published one, a correction notice, one being built by a
    live worker are left as they are)."""
    return job_run(Statement, statement_id, _build)


def document_for(statement: Statement, *, sequence: int, previous_sha256: str, published_at: dt.datetime) -> str:
    """The published text: the statement's header and content, in canonical JSON."""
    return canonical({
        "fund": "慈善医疗救助共富基金", "sequence": sequence, "kind": statement.kind, "title": statement.title,
        "period": {"start": statement.period_start.isoformat(), "end": statement.period_end.isoformat()},
        "published_at": published_at.isoformat(), "previous_sha256": previous_sha256,
        "content": statement.content,
    })


def _publish(statement: Statement, acting_user) -> Statement:
    head = ChainHead.locked()  # the lock that serialises publications
    previous = head.last
    sequence = previous.sequence + 1 if previous else 1
    previous_sha256 = previous.sha256 if previous else ""
    published_at = timezone.now()
    document = document_for(statement, sequence=sequence, previous_sha256=previous_sha256, published_at=published_at)
    statement = state_move(statement, State.PUBLISHED, acting_user=acting_user, reason=f"发布（第 {sequence} 号）",
                           sequence=sequence, previous=previous, previous_sha256=previous_sha256,
                           published_at=published_at, published_by=acting_user, document=document,
                           sha256=hashlib.sha256(document.encode("utf-8")).hexdigest())
    head.last = statement
    head.save(update_fields=["last"])
    transaction.on_commit(lambda: publication_files_write_after_commit(statement_id=statement.pk))
    try:
        log_append(statement_leaves(statement))  # its document and public rows, in a signed checkpoint
    except KeyMissing as exc:
        raise ValidationError(f"“{statement.title}”不能发布：{exc}") from None
    return statement


def _without_sections(content: dict, *sections: str) -> dict:
    return {key: value for key, value in content.items() if key not in (*sections, "format")}


def _require_publisher(user) -> None:
    if not user.has_perm("disclosure.publish_statement"):
        raise PermissionDenied("您没有发布收支公示的权限")


@records_actor
@transaction.atomic
def statement_publish(*, statement: Statement, acting_user) -> Statement:
    """Publish a built statement: from now on it is the same bytes for everyone, for ever."""
    _require_publisher(acting_user)
    ChainHead.locked()  # lock first, then the statement: the same order as every publication
    statement = Statement.objects.select_for_update().get(pk=statement.pk)
    if statement.state != State.BUILT:
        raise ValidationError(f"“{statement.title}”现为“{statement.get_state_display()}”，只有已生成的公示可以发布")
    if message := period_error(statement.kind, statement.period_start, statement.period_end):
        raise ValidationError(f"“{statement.title}”不能发布：{message}")
    # The fund account's lock (every posting takes it) is held from here to the commit: the ledger
    # read below is the whole ledger of the period, and the period is closed before anyone can
    # post again, so a late entry is either in this statement or booked after it, never lost in it.
    account = fund_account_lock()
    # What is published is what the ledger says now: a late entry or an overlapping build since
    # the statement was built means building it again first.
    # So are the 公示 section (counts as they stand at publication; no 公示 listed twice by a kind)
    # and a year statement's funnel (the cost year's stages as they stand at publication).
    now = statement_content(statement.period_start, statement.period_end, kind=statement.kind)
    if now != statement.content:
        if _without_sections(now, SECTION, funnel.SECTION) != _without_sections(statement.content, SECTION,
                                                                               funnel.SECTION):
            raise ValidationError(f"“{statement.title}”生成后账目有变动，请重新生成后再发布")
        if _without_sections(now, funnel.SECTION) == _without_sections(statement.content, funnel.SECTION):
            raise ValidationError(f"“{statement.title}”生成后救助工作进度有变动，请重新生成后再发布")
        raise ValidationError(f"“{statement.title}”生成后公示及异议处理情况有变动，请重新生成后再发布")
    fund_period_close(account=account, through=statement.period_end, acting_user=acting_user,
                      reason=f"发布《{statement.title}》，结账至 {statement.period_end.isoformat()}")
    return _publish(statement, acting_user)


@records_actor
@transaction.atomic
def statement_correct(*, statement: Statement, notice: str, acting_user) -> Statement:
    """Publish a correction notice (更正说明) for a published statement; the statement stays as it was."""
    _require_publisher(acting_user)
    if not notice.strip():
        raise ValidationError({"notice": "请写明更正的内容和原因"})
    ChainHead.locked()
    statement = Statement.objects.get(pk=statement.pk)
    if not statement.is_published:
        raise ValidationError("只能更正已发布的公示；未发布的请重新生成")
    if statement.kind == Kind.CORRECTION:
        raise ValidationError("更正说明不能再更正：请对原公示发布新的更正说明")
    correction = state_create(
        Statement, acting_user=acting_user, reason="更正说明",
        kind=Kind.CORRECTION, period_start=statement.period_start, period_end=statement.period_end,
        title=f"关于《{statement.title}》的更正说明", state=State.BUILT, corrects=statement, notice=notice.strip(),
        requested_by=acting_user, built_at=timezone.now(),
        content={"corrects": {"sequence": statement.sequence, "title": statement.title,
                              "sha256": statement.sha256}, "notice": notice.strip()})
    return _publish(correction, acting_user)


def chain_problems() -> list[str]:
    """Recompute the chain from the stored documents; each problem in Chinese (none: intact)."""
    problems, previous = [], None
    for expected, statement in enumerate(Statement.objects.filter(state=State.PUBLISHED).order_by("sequence"),
                                         start=1):
        label = f"第 {statement.sequence} 号《{statement.title}》"
        if statement.sequence != expected:
            problems.append(f"{label}：序号应为 {expected}，发布链不连续")
        if hashlib.sha256(statement.document.encode("utf-8")).hexdigest() != statement.sha256:
            problems.append(f"{label}：发布文本的哈希与记录不符，文本被改动过")
        try:
            document = json.loads(statement.document)
        except ValueError:
            problems.append(f"{label}：发布文本不是有效的 JSON")
            previous = statement
            continue
        want_previous = previous.sha256 if previous else ""
        if document.get("previous_sha256") != want_previous or statement.previous_sha256 != want_previous \
                or statement.previous_id != (previous.pk if previous else None):
            problems.append(f"{label}：与上一份公示的链接不符")
        if canonical(document.get("content")) != canonical(statement.content):
            problems.append(f"{label}：公示内容与发布文本不符，内容被改动过")
        # The pages show the row's header: it must still be the one published in the text.
        header = json.loads(document_for(statement, sequence=statement.sequence,
                                         previous_sha256=statement.previous_sha256,
                                         published_at=statement.published_at))
        if {**header, "content": document.get("content")} != document:
            problems.append(f"{label}：标题、期间或发布时间与发布文本不符，被改动过")
        previous = statement
    return problems
