"""What waits for the Charity Federation's finance staff in the payouts (fundportal/workqueue.py),
never what the rules keep from them: batches to export (by someone who neither signed the
resolution nor entered one of its cases), bank results to import and confirm (by someone other
than the batch's preparer: four eyes), risk flags to check and clear (again not by the preparer).
One query for the batches, one for the flags."""
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from fundportal.workqueue import Kind, Queue

from .models import FraudFlag, Payout, PayoutBatch

State = Payout.State


def _batches(user):
    payouts = Payout.objects.filter(batch=OuterRef("pk"))
    return PayoutBatch.objects.annotate(has_pending=Exists(payouts.filter(state=State.PENDING)),
                                        has_sent=Exists(payouts.filter(state=State.SENT)))


def _to_export(user) -> Q:
    with_own_case = PayoutBatch.objects.filter(payouts__application__entered_by=user).values("pk")
    return (Q(state=PayoutBatch.State.PREPARED, has_pending=True) & ~Q(resolution__signed_by=user)
            & ~Q(pk__in=with_own_case))


def _to_confirm(user) -> Q:
    return Q(state=PayoutBatch.State.EXPORTED, has_sent=True) & ~Q(prepared_by=user)


def _flags_to_clear(user) -> Q:
    return (Q(overridden_by__isnull=True, payout__state__in=[State.PENDING, State.SENT])
            & ~Q(payout__batch__prepared_by=user) & ~Q(payout__batch__resolution__signed_by=user))


BATCH_QUEUE = Queue(
    rows=_batches,
    kinds=(
        Kind("payouts.export", _("支付批次：待导出银行转账文件"), "assistance.export_payoutbatch", _to_export),
        Kind("payouts.confirm", _("支付批次：待导入银行回单、确认结果（非制单人）"), "assistance.reconcile_payoutbatch",
             _to_confirm, since="exported_at"),
    ),
    since="prepared_at", list_url="admin:assistance_payoutbatch_changelist")

FLAG_QUEUE = Queue(
    rows=lambda user: FraudFlag.objects.all(),
    kinds=(Kind("payouts.flags", _("风险提示：待核实放行或取消支付"), "assistance.override_fraudflag", _flags_to_clear),),
    since="raised_at", list_url="admin:assistance_fraudflag_changelist")
