"""Public statements of the fund: built from the ledger by Celery, published as immutable snapshots
chained by hash.

A statement is built (and may be rebuilt) until it is published. Publishing freezes it: the exact
canonical JSON document (`document`), its SHA-256, and the previous published statement's hash,
which the document itself contains. The database refuses any change to a published statement
(migration 0002), and one published statement follows each one (one-to-one `previous`, unique
`sequence`, a single first one), so the chain cannot fork. An error is fixed by publishing a
correction notice (kind CORRECTION) that references the statement it corrects.

Building is a long job (fundportal/jobs.py): queued → building → built (or failed), sent again by
the core's requeue if the broker was down or the worker died. Its states move only as MOVES says,
through fundportal.states (disclosure/services.py calls it; nothing assigns `state`).
"""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from fundportal.audit import history_user
from fundportal.jobs import JobStates, LongJob
from fundportal.states import Moves


class Statement(LongJob):
    class Kind(models.TextChoices):
        MONTH = "month", _("月度")
        QUARTER = "quarter", _("季度")
        YEAR = "year", _("年度")
        CUSTOM = "custom", _("自定义期间")
        CORRECTION = "correction", _("更正说明")
        # 年度工作报告及财务会计报告 (disclosure/annual/): built and published in one service, never queued.
        ANNUAL = "annual", _("年度报告")

    class State(models.TextChoices):
        QUEUED = "queued", _("排队中")
        BUILDING = "building", _("生成中")
        BUILT = "built", _("已生成，待发布")
        FAILED = "failed", _("生成失败")
        PUBLISHED = "published", _("已发布")

    # The only moves there are. Built and failed ones are built again on request (→ queued); a
    # building one goes back to the queue when its worker died; only a built one is published, and a
    # published one never moves again. A correction notice starts built (nothing to build).
    MOVES = Moves({
        State.QUEUED: {State.BUILDING},
        State.BUILDING: {State.BUILT, State.FAILED, State.QUEUED},
        State.BUILT: {State.QUEUED, State.PUBLISHED},
        State.FAILED: {State.QUEUED},
        State.PUBLISHED: set(),
    }, names={State.QUEUED: "重新生成", State.BUILDING: "开始生成", State.BUILT: "完成生成",
              State.FAILED: "记为生成失败", State.PUBLISHED: "发布"}, initial={State.QUEUED, State.BUILT})
    JOB_STATES = JobStates(queued=State.QUEUED, running=State.BUILDING, done=State.BUILT, failed=State.FAILED)
    TASK_NAME = "disclosure.tasks.statement_build_task"

    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    period_start = models.DateField(_("期间开始"))
    period_end = models.DateField(_("期间结束"))
    title = models.CharField(_("标题"), max_length=100)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.QUEUED)
    content = models.JSONField(_("内容"), default=dict, blank=True)
    # The build's progress, error, attempts and heartbeat: LongJob's fields.
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发起人"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("发起时间"), auto_now_add=True)
    built_at = models.DateTimeField(_("生成时间"), null=True, blank=True)
    # A correction notice: the statement it corrects, and what it says.
    corrects = models.ForeignKey("self", verbose_name=_("更正的公示"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="corrections")
    notice = models.TextField(_("更正说明"), blank=True)
    # Set once, when published.
    sequence = models.PositiveIntegerField(_("发布序号"), null=True, blank=True, unique=True)
    document = models.TextField(_("发布文本"), blank=True, help_text=_("规范化 JSON，哈希即按此计算"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    previous = models.OneToOneField("self", verbose_name=_("上一份公示"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="following")
    previous_sha256 = models.CharField(_("上一份的 SHA-256"), max_length=64, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发布人"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords(get_user=history_user,
                                excluded_fields=["content", "document", *LongJob.PROGRESS_FIELDS])

    class Meta:
        verbose_name = _("收支公示")
        verbose_name_plural = _("收支公示")
        ordering = ["-period_end", "-id"]
        permissions = [("publish_statement", _("可发布收支公示"))]
        constraints = [
            # Building the same period twice gives the same statement, never a second one.
            models.UniqueConstraint(fields=["kind", "period_start", "period_end"], condition=~Q(kind="correction"),
                                    name="statement_one_per_period",
                                    violation_error_message=_("该期间已有同类公示")),
            models.CheckConstraint(condition=Q(period_start__lte=models.F("period_end")), name="statement_period",
                                   violation_error_message=_("期间开始不能晚于期间结束")),
            models.CheckConstraint(
                condition=~Q(state="published") | (Q(sequence__isnull=False, published_at__isnull=False)
                                                   & ~Q(sha256="") & ~Q(document="")),
                name="statement_published_complete",
                violation_error_message=_("已发布的公示须有发布序号、发布时间、哈希与发布文本")),
            # The chain has one start: only the first published statement has no predecessor.
            models.UniqueConstraint(fields=["state"], condition=Q(state="published", previous__isnull=True),
                                    name="statement_one_first",
                                    violation_error_message=_("只能有一份首份公示")),
            models.CheckConstraint(condition=~Q(kind="correction") | Q(corrects__isnull=False),
                                   name="statement_correction_references",
                                   violation_error_message=_("更正说明须指明所更正的公示")),
        ]

    def __str__(self):
        return self.title

    @property
    def is_published(self) -> bool:
        return self.state == self.State.PUBLISHED


class ChainHead(models.Model):
    """One row, locked while a statement is published: publications happen one at a time."""

    last = models.OneToOneField(Statement, verbose_name=_("最新发布的公示"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("公示哈希链链头")
        verbose_name_plural = _("公示哈希链链头")

    @classmethod
    def locked(cls) -> "ChainHead":
        """The row, locked until the transaction ends: publications (and the recording of public
        files) take it first, so they happen one at a time, always in the same lock order."""
        cls.objects.get_or_create(pk=1)
        return cls.objects.select_for_update().get(pk=1)


class PublicFile(models.Model):
    """One version of a public file, recorded when it was written: its hash, and for a rendered file
    (a page, the PDF) its bytes. Append-only (the database refuses changes, migration 0003): a page
    that a later publication changes (the overview, the list, a corrected statement's page) gets a
    new version. Files are only ever written again to the bytes of their latest version, so editing
    a file on disk or the content in the database is found by comparing with this, never recorded
    over. The JSON and CSV files are not stored: they are derived exactly from the document."""

    path = models.CharField(_("路径"), max_length=200, help_text=_("相对公开文件目录"))
    version = models.PositiveIntegerField(_("版本"))
    statement = models.ForeignKey(Statement, verbose_name=_("收支公示"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="public_files")
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveIntegerField(_("字节数"))
    content = models.BinaryField(_("内容"), blank=True, default=b"")
    written_at = models.DateTimeField(_("写出时间"), default=timezone.now)

    class Meta:
        verbose_name = _("公开文件记录")
        verbose_name_plural = _("公开文件记录")
        ordering = ["path", "-version"]
        constraints = [models.UniqueConstraint(fields=["path", "version"], name="public_file_one_per_version",
                                               violation_error_message=_("该文件的此版本已存在"))]

    def __str__(self):
        return f"{self.path} v{self.version}"


# --- The transparency log (disclosure/transparency/): what was published, checkable from outside ---
# Append-only, all of it (the database refuses changes and deletions, migration 0010). What makes it
# checkable without trusting the database is elsewhere: checkpoints are signed with a key that is a
# file, never a row, and cosigned by witnesses who remember what they saw.

class LogLeaf(models.Model):
    """One leaf: the exact bytes its RFC 6962 hash is over (UTF-8 text: a statement's published
    document, one of its public rows, or a public file's record), numbered from 0."""

    class Kind(models.TextChoices):
        STATEMENT = "statement", _("公示文本")
        ROW = "row", _("公示明细行")
        FILE = "file", _("公开文件")
        KEY = "key", _("签名密钥更换")

    index = models.BigIntegerField(_("序号"), primary_key=True)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    statement = models.ForeignKey(Statement, verbose_name=_("收支公示"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="log_leaves")
    # A row's ledger entry (a gift or a payout, as published): how a receipt finds its leaf.
    ledger_entry_id = models.BigIntegerField(_("账目分录"), null=True, blank=True, db_index=True)
    data = models.TextField(_("内容"))
    hash = models.BinaryField(_("叶哈希"), max_length=32)
    appended_at = models.DateTimeField(_("写入时间"), default=timezone.now)

    class Meta:
        verbose_name = _("透明日志记录")
        verbose_name_plural = _("透明日志记录")
        ordering = ["index"]

    def __str__(self):
        return f"#{self.index} {self.get_kind_display()}"


class LogNode(models.Model):
    """The hash of one complete subtree (level 0: a leaf), stored as it is completed, so a proof
    reads a few dozen rows at any size. `key` is level << 56 | index (tree coordinates)."""

    key = models.BigIntegerField(_("位置"), primary_key=True)
    hash = models.BinaryField(_("哈希"), max_length=32)

    class Meta:
        verbose_name = _("透明日志节点")
        verbose_name_plural = _("透明日志节点")


class LogCheckpoint(models.Model):
    """A signed tree head (c2sp.org/tlog-checkpoint): the signed note as the fund's key signed it."""

    size = models.BigIntegerField(_("记录数"), db_index=True)
    root = models.BinaryField(_("根哈希"), max_length=32)
    note = models.TextField(_("签名检查点"))
    signed_at = models.DateTimeField(_("签名时间"), default=timezone.now)

    class Meta:
        verbose_name = _("透明日志检查点")
        verbose_name_plural = _("透明日志检查点")
        ordering = ["-size", "-id"]

    def __str__(self):
        return f"checkpoint {self.size}"


class Cosignature(models.Model):
    """A witness's cosignature (c2sp.org/tlog-cosignature) of one checkpoint, verified when received."""

    checkpoint = models.ForeignKey(LogCheckpoint, verbose_name=_("检查点"), on_delete=models.PROTECT,
                                   related_name="cosignatures")
    witness = models.CharField(_("见证方"), max_length=100)
    line = models.CharField(_("副署签名行"), max_length=300)
    cosigned_at = models.DateTimeField(_("副署时间"))

    class Meta:
        verbose_name = _("见证副署")
        verbose_name_plural = _("见证副署")
        constraints = [models.UniqueConstraint(fields=["checkpoint", "witness"], name="cosignature_one_per_witness",
                                               violation_error_message=_("该见证方已副署此检查点"))]


class WitnessAttempt(models.Model):
    """Each time the portal asked a witness to cosign, and what came of it: a missing cosignature is
    visible with its reason, and a witness's refusal of an inconsistent checkpoint stays on record."""

    class Outcome(models.TextChoices):
        COSIGNED = "cosigned", _("已副署")
        INCONSISTENT = "inconsistent", _("拒绝：与其此前副署的记录不一致")
        REFUSED = "refused", _("拒绝")
        UNREACHABLE = "unreachable", _("无法连接")

    witness = models.CharField(_("见证方"), max_length=100)
    checkpoint = models.ForeignKey(LogCheckpoint, verbose_name=_("检查点"), on_delete=models.PROTECT,
                                   related_name="witness_attempts")
    outcome = models.CharField(_("结果"), max_length=12, choices=Outcome.choices)
    message = models.CharField(_("说明"), max_length=500, blank=True)
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("见证请求")
        verbose_name_plural = _("见证请求")
        ordering = ["-at", "-id"]
