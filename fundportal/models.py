"""The shared core: users and regions, the fund ledger, and logs every app writes to."""
from django.conf import settings
from django.contrib.auth.models import AbstractUser, Group
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken
from simple_history import register
from simple_history.models import HistoricalRecords

from .audit import history_user
from .masking import is_han
from .money import MoneyField, money_label
from .text import digits_only


class Region(models.Model):
    """City → town/street → village/community. `path` makes "inside this area" one indexed prefix."""

    class Level(models.TextChoices):
        CITY = "city", _("市")
        TOWN = "town", _("乡镇/街道")
        VILLAGE = "village", _("村/社区")

    code = models.CharField(_("区划代码"), max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=64)
    level = models.CharField(_("层级"), max_length=8, choices=Level.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(_("路径"), max_length=80, editable=False, db_index=True)

    # Who sees which people follows this tree (officers are scoped to their region): audited.
    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("行政区域")
        verbose_name_plural = _("行政区域")
        ordering = ["path"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.path = (self.parent.path if self.parent else "") + self.code + "/"
        super().save(*args, **kwargs)

    def contains(self, other: "Region | None") -> bool:
        return other is not None and other.path.startswith(self.path)


HISTORY_EXCLUDED_FIELDS = ["password", "last_login"]


class User(AbstractUser):
    """Staff user. Officers carry the region they serve; their lists are scoped to it."""

    region = models.ForeignKey(
        Region, verbose_name=_("服务区域"), null=True, blank=True, on_delete=models.PROTECT,
        help_text=_("民政等按区域工作的人员只能看到本区域的数据"),
    )
    organisation = models.CharField(_("所在单位"), max_length=100, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    bank_account = models.CharField(_("本人银行账号"), max_length=32, blank=True,
                                    help_text=_("用于核查救助金是否转入工作人员账户，不对外显示"))
    daily_digest = models.BooleanField(_("接收每日逾期提醒短信"), default=True,
                                       help_text=_("有逾期待办时，每天早上向联系电话发送一条汇总短信"))

    # Logins are the login log's business (django-axes), not the audit trail's. Roles are: a change
    # of groups or of permissions is a history row with the groups before and after.
    history = HistoricalRecords(excluded_fields=HISTORY_EXCLUDED_FIELDS, get_user=history_user,
                                m2m_fields=["groups", "user_permissions"])

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self):
        # Colleagues know each other by name (林科长), so every page, select and history row shows it.
        return self.get_full_name() or self.get_username()

    def save(self, *args, **kwargs):
        # Digits only ("6228 4800 …" as printed on a card), so the payouts' staff-account check matches.
        self.bank_account = digits_only(self.bank_account)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and set(update_fields) <= set(HISTORY_EXCLUDED_FIELDS):
            # A login saves last_login alone: no history row, so no audit entry for every login.
            self.skip_history_when_saving = True
            try:
                return super().save(*args, **kwargs)
            finally:
                del self.skip_history_when_saving
        return super().save(*args, **kwargs)

    def get_full_name(self):
        """The name as people write it: a Han name surname first with no space (林 + 科长 → 林科长),
        any other name as Django writes it; the demo users keep their whole name in first_name."""
        first, last = self.first_name.strip(), self.last_name.strip()
        if first and last and is_han(first + last):
            return last + first
        return " ".join(part for part in (first, last) if part)

    def get_short_name(self):
        return self.get_full_name() or self.get_username()


class ApiToken(AbstractAuthToken):
    """A staff API token (django-rest-knox, swapped in by KNOX_TOKEN_MODEL): the SHA-512 digest of
    the key and its first 15 characters for the lookup; the key itself is stored nowhere.

    Our own model rather than knox's: its primary key is a number, not the digest, so no admin
    link, checkbox or log entry ever carries the digest, and it prints as its owner's token."""

    id = models.BigAutoField(primary_key=True)
    digest = models.CharField(_("密钥摘要"), max_length=128, unique=True, editable=False)
    token_key = models.CharField(_("密钥前缀"), max_length=25, db_index=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE,
                             related_name="auth_token_set")
    created = models.DateTimeField(_("签发时间"), auto_now_add=True)
    expiry = models.DateTimeField(_("有效期至"), null=True, blank=True)

    # Issued and revoked (deleted) tokens are in the audit trail: whose, by whom, when, until when.
    # Never the digest or the key's prefix: history is read by auditors.
    history = HistoricalRecords(get_user=history_user, excluded_fields=["digest", "token_key"])

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")

    def __str__(self):
        return _("%(user)s 的 API 令牌") % {"user": self.user}


class FundAccount(models.Model):
    """The fund's account. Its balance moves only through ledger_post, under a row lock."""

    code = models.SlugField(_("账户代码"), unique=True)
    name = models.CharField(_("账户名称"), max_length=100)
    balance = MoneyField(_("余额"), default=0)
    # Periods are closed through this day (a statement of them was published): an entry dated on
    # or before it is booked on the next day. Written under this row's lock, like the balance.
    closed_through = models.DateField(_("已结账至"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    history = HistoricalRecords(get_user=history_user)

    class Meta:
        verbose_name = _("基金账户")
        verbose_name_plural = _("基金账户")
        constraints = [models.CheckConstraint(condition=Q(balance__gte=0), name="fund_balance_not_negative",
                                              violation_error_message=_("基金余额不能为负数"))]

    def __str__(self):
        return self.name


class LedgerEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("账目分录只能追加，不能修改")

    def delete(self):
        raise PermissionError("账目分录只能追加，不能删除")


class LedgerEntry(models.Model):
    """An append-only movement of the fund. Corrections are reversing entries, never edits.

    A database trigger (migration 0002) refuses UPDATE and DELETE on both databases, so not
    even raw SQL or the admin can rewrite history.
    """

    class Kind(models.TextChoices):
        INCOME = "income", _("收入")
        PAYOUT = "payout", _("支出")
        REVERSAL = "reversal", _("冲正")

    account = models.ForeignKey(FundAccount, verbose_name=_("账户"), on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    amount = MoneyField(_("金额"), help_text=_("收入为正，支出为负"))
    balance_after = MoneyField(_("记账后余额"))
    source_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, verbose_name=_("来源类型"))
    source_id = models.CharField(_("来源编号"), max_length=64)
    source = GenericForeignKey("source_type", "source_id")
    memo = models.CharField(_("摘要"), max_length=200)
    # The business date (a donation's day of receipt, the bank's day of payment): statements cover
    # periods by it. Empty on entries written before it existed: their recording date counts.
    booked_on = models.DateField(_("业务日期"), null=True, blank=True)
    reverses = models.OneToOneField(
        "self", verbose_name=_("冲正的分录"), null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    created_at = models.DateTimeField(_("记账时间"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("记账人"), on_delete=models.PROTECT)

    objects = LedgerEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("账目分录")
        verbose_name_plural = _("账目分录")
        ordering = ["-id"]
        indexes = [models.Index(fields=["source_type", "source_id"], name="ledger_source_idx"),
                   models.Index(fields=["booked_on"], name="ledger_booked_on_idx")]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="ledger_amount_not_zero",
                                   violation_error_message=_("账目金额不能为零")),
            models.CheckConstraint(condition=Q(balance_after__gte=0), name="ledger_balance_not_negative",
                                   violation_error_message=_("记账后余额不能为负数")),
            models.CheckConstraint(
                condition=~Q(kind="income") | Q(amount__gt=0), name="ledger_income_positive",
                violation_error_message=_("收入金额必须大于零")
            ),
            models.CheckConstraint(
                condition=~Q(kind="payout") | Q(amount__lt=0), name="ledger_payout_negative",
                violation_error_message=_("支出金额必须记为负数")
            ),
            models.CheckConstraint(
                condition=~Q(kind="reversal") | Q(reverses__isnull=False), name="ledger_reversal_has_target",
                violation_error_message=_("冲正记录须指明被冲正的账目")
            ),
        ]

    def __str__(self):
        return f"#{self.pk} {self.get_kind_display()} {money_label(self.amount)}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("账目分录只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("账目分录只能追加，不能删除")


class ExportLog(models.Model):
    """Every export of personal data or of the audit trail: who, when, what, how many rows."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("导出人"), on_delete=models.PROTECT)
    created_at = models.DateTimeField(_("导出时间"), auto_now_add=True)
    what = models.CharField(_("导出内容"), max_length=100)
    filters = models.JSONField(_("筛选条件"), default=dict, blank=True)
    row_count = models.PositiveIntegerField(_("行数"))

    class Meta:
        verbose_name = _("导出记录")
        verbose_name_plural = _("导出记录")
        ordering = ["-id"]
        permissions = [("view_audit_trail", _("可查看并导出审计日志"))]

    def __str__(self):
        return f"{self.what} ({self.row_count})"


# A role is a group: which permissions it holds is audited like a user's groups (roles_sync writes
# them on migrate, an administrator may change them in the admin).
register(Group, app="fundportal", get_user=history_user, m2m_fields=["permissions"])


class RateLimitWindow(models.Model):
    """One client's count for one limit (fundportal/ratelimits.py): this window's and the last one's.
    Keyed by a hash, so no client address is stored; expired rows are swept by the beat."""

    key = models.CharField(_("计数键"), max_length=64, unique=True)
    window = models.BigIntegerField(_("时间窗"))
    count = models.PositiveIntegerField(_("本窗次数"), default=0)
    previous = models.PositiveIntegerField(_("上窗次数"), default=0)
    expires_at = models.DateTimeField(_("到期时间"), db_index=True)

    class Meta:
        verbose_name = _("限流计数")
        verbose_name_plural = _("限流计数")

    def __str__(self):
        return f"{self.key[:12]}…: {self.count}"


from .notices.models import Notice  # noqa: E402,F401  (the outbox is the core's model)
