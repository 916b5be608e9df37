"""What waits for the Medical Security Bureau (fundportal/workqueue.py), one query each:

- settlement imports that failed or finished with rejected rows: the file is to be fixed and
  imported again (an import stops waiting once a later import of its year has finished);
- screening runs finished and not shared with civil affairs yet, the newest of their year (an
  older run a newer one replaced is not to be shared)."""
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from fundportal.workqueue import Kind, Queue

from .models import ScreeningRun, SettlementImport
from .selectors import screening_runs_for_user


def _imports(user):
    later_done = SettlementImport.objects.filter(year=OuterRef("year"), state=SettlementImport.State.DONE,
                                                 created_at__gt=OuterRef("created_at"))
    return SettlementImport.objects.annotate(superseded=Exists(later_done))


def _imports_to_fix(user) -> Q:
    State = SettlementImport.State
    return (Q(state=State.FAILED) | Q(state=State.DONE, rows_rejected__gt=0)) & Q(superseded=False)


def _runs(user):
    newer = ScreeningRun.objects.filter(year=OuterRef("year"), state=ScreeningRun.State.DONE,
                                        created_at__gt=OuterRef("created_at"))
    return screening_runs_for_user(user=user).annotate(replaced=Exists(newer))


IMPORT_QUEUE = Queue(
    rows=_imports,
    kinds=(Kind("intake.imports", _("结算数据导入：失败或有错误行，待修正后重新导入"), "assistance.add_settlementimport",
                _imports_to_fix),),
    since="created_at", list_url="admin:assistance_settlementimport_changelist")

RUN_QUEUE = Queue(
    rows=_runs,
    kinds=(Kind("intake.share", _("筛查批次：已完成，待共享给民政局"), "assistance.share_screeningrun",
                lambda user: Q(state=ScreeningRun.State.DONE, shared_at__isnull=True, replaced=False)),),
    since="finished_at", list_url="admin:assistance_screeningrun_changelist")
