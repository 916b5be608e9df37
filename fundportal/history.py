"""How history shows a value: one rule for the audit trail (page and CSV) and the admin's history pages.

A stored value becomes what a person reads: a choice by its label, a foreign key by the related
object's name (a user by their name, a person by their masked name), a many-to-many field (a
user's roles) by the related objects' names, an amount as money (1,428,627.00), a time in Beijing
time to the second, nothing for None, 是/否 for yes/no, and a personal field masked
(fundportal.masking).
"""
import datetime as dt
from decimal import Decimal
from typing import NamedTuple

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import registered_models
from simple_history.utils import get_m2m_reverse_field_name

from .masking import mask_field, masked_display
from .migration_utils import HISTORY_STARTED
from .money import MoneyField, format_money
from .permission_labels import permission_label

ACTIONS = {"+": "创建", "~": "修改", "-": "删除"}

# Every model of the fund's apps, and every model with an admin, either keeps its history
# (django-simple-history) or is listed here with the reason it need not: DESIGN wants who did what
# when, with before/after, for every state change and every change to people, amounts, decisions
# and published data. The admin's "历史" page of these models shows the reason
# (fundportal.history_admin.history_not_kept_view); tests/core/test_history_coverage.py and the
# check fundportal.E102 fail on a model that is in neither.
NOT_TRACKED: dict[str, str] = {
    "fundportal.ledgerentry": _("账目分录只能追加，数据库拒绝任何修改或删除；更正以冲正分录记账。记账人和记账时间见分录本身。"),
    "fundportal.exportlog": _("导出记录本身就是审计记录：只能追加，不能修改或删除。"),
    "donations.receiptsequence": _("收据号计数器：只用于连续编号，收据本身的历史另有记录。"),
    "donations.receiptprint": _("收据打印记录本身就是审计记录：只能追加。"),
    "fundportal.ratelimitwindow": _("限流计数：安全计数器，不是基金业务数据。"),
    "fundportal.notice": _("短信通知的发件箱本身就是发送记录：每条通知的状态、尝试次数、发送时间和服务商答复都在本记录中；"
                           "重新发送另记入管理日志，显示在该通知的“重新发送记录”中。"),
    "disclosure.logleaf": _("透明日志只能追加，数据库拒绝任何修改或删除；每条记录的哈希由签名检查点和见证方副署担保。"),
    "disclosure.lognode": _("透明日志的树节点由记录算出，只能追加；核验时全部重算。"),
    "disclosure.logcheckpoint": _("签名检查点只能追加，由基金密钥签名，不能修改。"),
    "disclosure.cosignature": _("见证方副署只能追加，由见证方密钥签名，不能修改。"),
    "disclosure.witnessattempt": _("请见证方副署的记录本身就是审计记录：只能追加。"),
    "assistance.publicityentry": _("公示名单在发布时生成，不能修改：公示页面显示的即发布时的内容。"),
    "assistance.casesequence": _("异议、复核编号计数器：只用于连续编号，异议和复核本身的历史另有记录。"),
    "assistance.settlementimporterror": _("导入错误行是导入任务的结果，不能修改。"),
    "assistance.settlementrecord": _("医保结算记录只由导入写入，不能手工修改；每条记录注明所属导入批次。"),
    "assistance.warningtarget": _("预警对象是筛查批次当时的快照，生成后不再修改；筛查批次本身的历史另有记录。"),
    "assistance.overduecount": _("逾期统计是定时任务每天计算的数字，不是业务记录。"),
    "assistance.applicationsequence": _("申请编号计数器：只用于连续编号。"),
    "assistance.resolutionsequence": _("决议编号计数器：只用于连续编号。"),
    "assistance.document": _("申请材料只在受理时上传，之后不能修改或删除；上传人和时间见本记录，每次查阅另有查阅记录。"),
    "assistance.documentaccess": _("材料查阅记录本身就是审计记录：只能追加。"),
    "assistance.bankresult": _("银行回单导入记录只能追加；回单引起的支付状态变化记录在各笔支付的历史中。"),
    "assistance.bankresultline": _("回单明细是导入的银行文件内容；其引起的支付状态变化记录在各笔支付的历史中。"),
    "disclosure.chainhead": _("公示哈希链的链头指针，随每次发布移动；发布的公示本身的历史另有记录。"),
    "disclosure.publicfile": _("公开文件记录只能追加，对应的公示本身的历史另有记录。"),
    "axes.accessattempt": _("登录失败记录本身就是安全日志（django-axes）。"),
    "axes.accesslog": _("登录日志本身就是安全日志（django-axes）。"),
    "axes.accessfailurelog": _("登录失败日志本身就是安全日志（django-axes）。"),
    "django_celery_beat.periodictask": _("定时任务调度的内部设置，不是基金业务数据。"),
    "django_celery_beat.clockedschedule": _("定时任务调度的内部设置，不是基金业务数据。"),
    "django_celery_beat.crontabschedule": _("定时任务调度的内部设置，不是基金业务数据。"),
    "django_celery_beat.solarschedule": _("定时任务调度的内部设置，不是基金业务数据。"),
    "django_celery_beat.intervalschedule": _("定时任务调度的内部设置，不是基金业务数据。"),
}
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def is_tracked(model: type[models.Model]) -> bool:
    """Whether django-simple-history keeps the history of `model` (its own `history` manager)."""
    return hasattr(model._meta, "simple_history_manager_attribute")


def tracked_models() -> list[type[models.Model]]:
    """Every model whose history is kept, by label. simple-history's registry also holds the
    through tables of the many-to-many fields it follows (a user's groups): those are part of their
    owner's history, not models of their own."""
    return sorted((m for m in set(registered_models.values()) if is_tracked(m)), key=lambda m: m._meta.label)


def history_record_update(model: type[models.Model], pks, *, reason: str = "") -> None:
    """A row changed by `queryset.update()` (a compare-and-set under a lock, a batch) gets no history
    row from simple-history, which listens to save(): write one per row, from what it now holds,
    under the acting user (fundportal.audit.records_actor). Call it right after the update."""
    rows = list(model._base_manager.filter(pk__in=list(pks)).order_by("pk"))
    model.history.bulk_history_create(rows, update=True, default_change_reason=reason)


def when_text(moment: dt.datetime | None) -> str:
    """A moment as Beijing (the site's) time to the second: 2024-03-05 14:07:09."""
    if moment is None:
        return ""
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return moment.strftime(TIME_FORMAT)


class RelatedNames:
    """Names of related objects by primary key, fetched once each: a CSV of a million rows asks the
    database once per distinct related object, not once per row. Bounded, so it never grows without end."""

    LIMIT = 20_000

    def __init__(self):
        self._names: dict[tuple[str, object], str] = {}

    def name(self, model: type[models.Model], pk) -> str:
        key = (model._meta.label_lower, pk)
        if key not in self._names:
            if len(self._names) >= self.LIMIT:
                self._names.clear()
            obj = model._base_manager.filter(pk=pk).first()
            self._names[key] = object_name(obj) if obj is not None else f"#{pk}"
        return self._names[key]


def object_name(obj) -> str:
    """A related object as history names it: a person masked, a permission by its label
    (fundportal.permission_labels), never Django's stored English."""
    if obj._meta.label_lower == "auth.permission":
        return permission_label(obj)
    return masked_display(obj)


def value_text(model: type[models.Model], field_name: str, value, *, instance=None,
               related: RelatedNames | None = None) -> str:
    """One stored value of `model.field_name` as history shows it (masked when the field is personal)."""
    field = model._meta.get_field(field_name)
    if value is None or (value == "" and not field.is_relation):
        return ""
    if field.many_to_many:
        # simple-history gives the through rows: [{"user": 7, "group": 3}, …]; name the other side.
        names = [(related or RelatedNames()).name(field.related_model, row[get_m2m_reverse_field_name(field)])
                 for row in value]
        return mask_field(model, field_name, "、".join(sorted(names)), instance)
    if field.is_relation and (field.many_to_one or field.one_to_one):
        if isinstance(value, models.Model):
            text = object_name(value)
        else:
            text = (related or RelatedNames()).name(field.related_model, value)
    elif field.flatchoices:
        text = str(dict(field.flatchoices).get(value, value))
    elif isinstance(value, bool):
        text = "是" if value else "否"
    elif isinstance(value, dt.datetime):
        text = when_text(value)
    elif isinstance(value, dt.date):
        text = value.isoformat()
    elif isinstance(field, MoneyField):
        text = format_money(Decimal(value))
    else:
        text = str(value)
    return mask_field(model, field_name, text, instance)


class Change(NamedTuple):
    field: str
    old: str
    new: str


def is_baseline(record) -> bool:
    """A row written when its model started keeping history (fundportal.migration_utils.history_snapshot):
    what the record held then, not a change. Diffed against older rows kept without a user's groups,
    it would read as a grant of every role the user already had."""
    return record.history_change_reason == HISTORY_STARTED


def visible_changes(model: type[models.Model], delta, *, older, newer, related: RelatedNames) -> list[Change]:
    """A diff's changes as history shows them, leaving out every change whose before and after
    read the same: a time that moved by microseconds (shown to the second), a personal field
    masked the same on both sides. What a person cannot see change is not shown as a change."""
    changes = []
    for c in delta.changes:
        old = value_text(model, c.field, c.old, instance=older, related=related)
        new = value_text(model, c.field, c.new, instance=newer, related=related)
        if old != new:
            changes.append(Change(field=str(model._meta.get_field(c.field).verbose_name), old=old, new=new))
    return changes


def changes_between(model: type[models.Model], older, newer, *, related: RelatedNames | None = None) -> list[Change]:
    """What changed from one historical record of `model` to a later one, each value as history shows it."""
    if is_baseline(newer):
        return []
    delta = newer.diff_against(older, foreign_keys_are_objs=False)
    return visible_changes(model, delta, older=older, newer=newer, related=related or RelatedNames())


def shows_nothing(record, changes) -> bool:
    """A 修改 row with no visible change and no reason (a save that changed only what history does
    not keep, or nothing): history lists it nowhere, neither the audit trail nor a history page."""
    return record.history_type == "~" and not changes and not record.history_change_reason


def tracked_fields(model: type[models.Model]) -> list[models.Field]:
    """The fields of `model` its history keeps, in the model's order."""
    kept = {f.name for f in model.history.model._meta.fields}
    return [f for f in model._meta.concrete_fields if f.name in kept and not f.primary_key]


def version_values(model: type[models.Model], record, *, related: RelatedNames | None = None) -> list[tuple[str, str]]:
    """Every kept field of one historical record (many-to-many ones too: a user's groups), as
    (label, value) history shows."""
    related = related or RelatedNames()
    values = [
        (str(field.verbose_name),
         value_text(model, field.name, getattr(record, field.attname), instance=record, related=related))
        for field in tracked_fields(model)
    ]
    for field in getattr(model.history.model, "_history_m2m_fields", ()):
        other = get_m2m_reverse_field_name(field)
        rows = [{other: pk} for pk in getattr(record, field.name).values_list(other, flat=True)]
        values.append((str(field.verbose_name), value_text(model, field.name, rows, instance=record, related=related)))
    return values


def record_display(record) -> str:
    """The object a historical record is about, as history names it."""
    return masked_display(record.instance)


def actor_display(record) -> str:
    return str(record.history_user) if record.history_user_id else "系统"
