"""Insured people, settlement records and the MSB's screening runs.

SettlementRecord is the big table (10–30 M rows a year). It points at the person by key only:
the ID number lives in InsuredPerson alone, so it can later be encrypted or tokenised without
rewriting the settlements. On PostgreSQL the table is partitioned by year (migration 0002).

A settlement import and a screening run are long jobs (fundportal/jobs.py), of the statement's
shape: `state` moved only as their MOVES say, through fundportal.states; their progress, error,
attempts and heartbeat in the row (LongJob's fields); sent again by the core's one requeue if the
broker was down or the worker died. Their states keep their values (pending, running, done,
failed): JOB_STATES says pending is the job's queued.
"""
import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from fundportal.audit import history_user
from fundportal.jobs import JobStates, LongJob
from fundportal.masking import mask_name
from fundportal.models import Region
from fundportal.money import MoneyField, money_label
from fundportal.states import Moves
from fundportal.years import YearField


class InsuredPerson(models.Model):
    class Sex(models.TextChoices):
        MALE = "M", _("男")
        FEMALE = "F", _("女")

    # Unique through Meta.constraints: unique=True would add a second (LIKE) index that no query uses
    # and every import pays for.
    resident_id = models.CharField(_("身份证号码"), max_length=18)
    name = models.CharField(_("姓名"), max_length=50)
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices, help_text=_("由身份证号码推出"))
    birth_date = models.DateField(_("出生日期"), help_text=_("由身份证号码推出"))
    region = models.ForeignKey(Region, verbose_name=_("户籍地"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="insured_people", help_text=_("市内的乡镇或村；市外为空"),
                               db_index=False)  # indexed by person_region_idx
    household_region_text = models.CharField(_("户籍地（原始）"), max_length=100, blank=True)
    is_local = models.BooleanField(_("本市户籍"), default=False)
    insured_kind = models.CharField(_("参保类型"), max_length=30, blank=True)
    is_deceased = models.BooleanField(_("已死亡"), default=False)
    died_on = models.DateField(_("死亡日期"), null=True, blank=True)
    # From a settlement file's status column (迁出/转出): no longer the city's to assist.
    moved_away = models.BooleanField(_("已迁出本市"), default=False, db_default=False)  # bulk loads write SQL
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    # Manual edits are audited here; bulk loads are audited by their SettlementImport row.
    history = HistoricalRecords(get_user=history_user, excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("参保人员")
        verbose_name_plural = _("参保人员")
        constraints = [models.UniqueConstraint(fields=["resident_id"], name="person_resident_id_unique",
                                               violation_error_message=_("该身份证号码已登记"))]
        indexes = [
            models.Index(fields=["region"], name="person_region_idx"),
            # The few deceased among 1.5 M people: the admin's filter finds them without a full scan.
            models.Index(fields=["id"], condition=Q(is_deceased=True), name="person_deceased_idx"),
            # The few who moved away: the daily stop of pending work finds them the same way.
            models.Index(fields=["id"], condition=Q(moved_away=True), name="person_moved_idx"),
        ]

    def __str__(self):
        return mask_name(self.name)  # a label (titles, links, the audit trail): masked like every list


class SettlementImport(LongJob):
    """One file loaded by the MSB: who, when, which year, what happened (the job and its audit)."""

    class State(models.TextChoices):
        PENDING = "pending", _("排队中")
        RUNNING = "running", _("导入中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    # A failed import is run again from the start (all or nothing: it left nothing behind); a
    # running one goes back to the queue when its worker died; a finished one never moves again.
    MOVES = Moves({
        State.PENDING: {State.RUNNING},
        State.RUNNING: {State.DONE, State.FAILED, State.PENDING},
        State.DONE: set(),
        State.FAILED: {State.PENDING},
    }, names={State.PENDING: "重新导入", State.RUNNING: "开始导入", State.DONE: "完成导入",
              State.FAILED: "记为导入失败"}, initial={State.PENDING})
    JOB_STATES = JobStates(queued=State.PENDING, running=State.RUNNING, done=State.DONE, failed=State.FAILED)
    TASK_NAME = "assistance.tasks.settlement_import_task"
    # A phase of a large year (building a partition's indexes, waiting for a lock) may say nothing
    # for minutes: only half an hour of silence means the worker died.
    STALE_AFTER = dt.timedelta(minutes=30)
    # The whole file is loaded in one transaction: its progress is written beside it, seen at once.
    PROGRESS_OUTSIDE_TRANSACTION = True

    year = YearField(_("年度"))
    # A monthly extract says which month it is: its rows must all be settled in that month, and
    # importing the month again replaces the month's rows (never guessed from the rows themselves).
    month = models.PositiveSmallIntegerField(
        _("月份"), null=True, blank=True,
        help_text=_("文件是该年哪个月的结算数据（按结算日期）：重新导入同一月份会整月替换；留空则按结算编号合并"))
    file = models.FileField(_("文件"), upload_to="settlements/%Y/", blank=True)
    file_name = models.CharField(_("文件名"), max_length=200)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.PENDING)
    # The run's phase, rows read so far, error, attempts and heartbeat: LongJob's fields.
    rows_total = models.PositiveIntegerField(_("总行数"), default=0)
    rows_imported = models.PositiveIntegerField(_("导入行数"), default=0)
    rows_rejected = models.PositiveIntegerField(_("错误行数"), default=0)
    rows_unchanged = models.PositiveIntegerField(_("未变化行数"), default=0)
    people_created = models.PositiveIntegerField(_("新增人员"), default=0)
    seconds = models.DecimalField(_("用时（秒）"), max_digits=10, decimal_places=2, null=True, blank=True)
    message = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("导入人"), on_delete=models.PROTECT,
                                   related_name="+")

    # Its moves (who queued it again, why it failed); the counters are the row's own.
    history = HistoricalRecords(get_user=history_user, excluded_fields=LongJob.PROGRESS_FIELDS)

    class Meta:
        verbose_name = _("结算数据导入")
        verbose_name_plural = _("结算数据导入")
        ordering = ["-id"]

    def __str__(self):
        return f"{self.year}{f'-{self.month:02d}' if self.month else ''} {self.file_name}"


class SettlementImportError(models.Model):
    """A rejected row: its line number in the file, the column and a Chinese reason."""

    job = models.ForeignKey(SettlementImport, verbose_name=_("导入任务"), on_delete=models.CASCADE,
                            related_name="errors")
    row_number = models.PositiveIntegerField(_("行号"))
    column = models.CharField(_("列"), max_length=30)
    value = models.CharField(_("内容"), max_length=100, blank=True)
    reason = models.CharField(_("原因"), max_length=200)

    class Meta:
        verbose_name = _("导入错误")
        verbose_name_plural = _("导入错误")
        ordering = ["job", "row_number", "id"]
        indexes = [models.Index(fields=["job", "row_number"], name="import_error_row_idx")]


class SettlementRecord(models.Model):
    year = YearField(_("年度"))
    settlement_no = models.CharField(_("结算编号"), max_length=40)
    # No database FK: checking 10 M rows one by one would halve the import's speed; rows only
    # arrive through the import, which joins every row to its person. (person, year) is indexed.
    person = models.ForeignKey(InsuredPerson, verbose_name=_("参保人员"), on_delete=models.PROTECT,
                               related_name="settlements", db_index=False, db_constraint=False)
    settled_on = models.DateField(_("结算日期"))
    institution = models.CharField(_("医疗机构"), max_length=100)
    in_province = models.BooleanField(_("省内就医"), default=True)
    total_cost = MoneyField(_("医疗总费用"))
    fund_basic = MoneyField(_("基本医保支付"), default=0)
    fund_critical = MoneyField(_("大病保险支付"), default=0)
    fund_assistance = MoneyField(_("医疗救助支付"), default=0)
    out_of_pocket = MoneyField(_("个人自付"))
    import_job = models.ForeignKey(SettlementImport, verbose_name=_("导入批次"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+", db_constraint=False,
                                   db_index=False)

    class Meta:
        verbose_name = _("结算记录")
        verbose_name_plural = _("结算记录")
        constraints = [
            # Number first: the admin finds a settlement by its number alone (the year is in the key
            # because a partitioned table's unique keys must hold the partition key).
            models.UniqueConstraint(fields=["settlement_no", "year"], name="settlement_no_year_unique",
                                    violation_error_message=_("该年度已有相同结算编号的记录")),
            models.CheckConstraint(
                condition=Q(total_cost__gte=0, fund_basic__gte=0, fund_critical__gte=0, fund_assistance__gte=0,
                            out_of_pocket__gte=0),
                name="settlement_amounts_not_negative",
                violation_error_message=_("结算金额不能为负数"),
            ),
        ]
        indexes = [models.Index(fields=["person", "year"], name="settlement_person_year_idx")]

    def __str__(self):
        return self.settlement_no

    @property
    def fund_paid(self):
        return self.fund_basic + self.fund_critical + self.fund_assistance


class ScreeningRun(LongJob):
    """One screening of a year's settlements with stated parameters; repeatable and reproducible."""

    class State(models.TextChoices):
        PENDING = "pending", _("排队中")
        RUNNING = "running", _("筛查中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    # A run is never repeated in place: a failed one is queued again only by a retry, a finished
    # one never moves (a new run is started instead); a running one whose worker died is queued again.
    MOVES = Moves({
        State.PENDING: {State.RUNNING},
        State.RUNNING: {State.DONE, State.FAILED, State.PENDING},
        State.DONE: set(),
        State.FAILED: {State.PENDING},
    }, names={State.PENDING: "重新排队", State.RUNNING: "开始筛查", State.DONE: "完成筛查",
              State.FAILED: "记为筛查失败"}, initial={State.PENDING})
    JOB_STATES = JobStates(queued=State.PENDING, running=State.RUNNING, done=State.DONE, failed=State.FAILED)
    TASK_NAME = "assistance.tasks.screening_run_task"
    STALE_AFTER = dt.timedelta(minutes=30)  # one transaction after its first progress: see SettlementImport

    year = YearField(_("年度"))
    threshold = MoneyField(_("个人自付起点（元）"), default=50000)
    local_only = models.BooleanField(_("仅本市户籍"), default=True)
    exclude_deceased = models.BooleanField(_("排除已死亡人员"), default=True)
    min_settlements = models.PositiveIntegerField(_("最少结算次数"), default=1)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.PENDING)
    target_count = models.PositiveIntegerField(_("预警对象人数"), default=0)
    data_fingerprint = models.CharField(_("数据指纹"), max_length=80, blank=True,
                                        help_text=_("筛查时该年度结算数据的行数与金额合计；相同数据和参数得到相同结果"))
    seconds = models.DecimalField(_("用时（秒）"), max_digits=10, decimal_places=2, null=True, blank=True)
    message = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发起人"), on_delete=models.PROTECT,
                                   related_name="+")
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    shared_at = models.DateTimeField(_("共享给民政时间"), null=True, blank=True)
    shared_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("共享人"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")

    history = HistoricalRecords(get_user=history_user, excluded_fields=LongJob.PROGRESS_FIELDS)

    class Meta:
        verbose_name = _("筛查批次")
        verbose_name_plural = _("筛查批次")
        ordering = ["-id"]
        permissions = [("share_screeningrun", _("可将筛查结果共享给民政局"))]
        constraints = [
            models.CheckConstraint(condition=Q(threshold__gte=0), name="screening_threshold_not_negative",
                                   violation_error_message=_("个人自付起点不能为负数")),
            models.CheckConstraint(condition=Q(shared_at__isnull=True) | Q(state="done"),
                                   name="screening_shared_only_when_done",
                                   violation_error_message=_("筛查完成后才能推送")),
        ]

    def __str__(self):
        return f"{self.year} 年筛查 #{self.pk}（自付 ≥ {money_label(self.threshold)}）"


class WarningTarget(models.Model):
    """A person a run found at risk, with the figures behind it (copied: the run is a snapshot)."""

    run = models.ForeignKey(ScreeningRun, verbose_name=_("筛查批次"), on_delete=models.CASCADE,
                            related_name="targets")
    person = models.ForeignKey(InsuredPerson, verbose_name=_("参保人员"), on_delete=models.PROTECT,
                               related_name="warning_targets")
    region = models.ForeignKey(Region, verbose_name=_("户籍地"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")
    total_cost = MoneyField(_("医疗总费用"))
    fund_paid = MoneyField(_("基金支付"))
    out_of_pocket = MoneyField(_("个人自付"))
    settlement_count = models.PositiveIntegerField(_("结算次数"))
    own_share = models.DecimalField(_("个人负担比例"), max_digits=5, decimal_places=4,
                                    help_text=_("个人自付占医疗总费用的比例"))
    top_institutions = models.JSONField(_("主要就诊机构"), default=list,
                                        help_text=_("费用最多的机构及金额（最多 3 家）"))

    class Meta:
        verbose_name = _("预警对象")
        verbose_name_plural = _("预警对象")
        ordering = ["run", "-out_of_pocket", "person_id"]
        constraints = [models.UniqueConstraint(fields=["run", "person"], name="target_run_person_unique",
                                               violation_error_message=_("同一次筛查中同一人只能出现一次"))]
        indexes = [models.Index(fields=["run", "region"], name="target_run_region_idx")]

    def __str__(self):
        return f"{self.person} 自付 {money_label(self.out_of_pocket)}"
