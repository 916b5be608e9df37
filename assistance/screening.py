"""Screening runs: find the year's warning targets (预警对象) and share them with civil affairs."""
import time
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import BigIntegerField, Count, F, Sum
from django.db.models.functions import Cast, Round
from django.utils import timezone

from fundportal.audit import records_actor
from fundportal.history import history_record_update
from fundportal.money import format_money, money_label, to_money
from fundportal.queue import send_on_commit

from .models import InsuredPerson, ScreeningRun, SettlementRecord, WarningTarget
from .review import review_cases_open_for_run

TOP_INSTITUTIONS = 3


@records_actor
@transaction.atomic
def screening_run_create(*, year: int, acting_user, threshold: Decimal = Decimal("50000"), local_only: bool = True,
                         exclude_deceased: bool = True, min_settlements: int = 1,
                         queue: bool = True) -> ScreeningRun:
    """Record a run's parameters; with queue=True a Celery task computes it after commit."""
    errors = {}
    if threshold < 0:
        errors["threshold"] = "个人自付起点不能为负数"
    if min_settlements < 1:
        errors["min_settlements"] = "最少结算次数至少为 1"
    if not 2000 <= year <= timezone.localdate().year:
        errors["year"] = "年度无效"
    if errors:
        raise ValidationError(errors)
    run = ScreeningRun.objects.create(year=year, threshold=threshold, local_only=local_only,
                                      exclude_deceased=exclude_deceased, min_settlements=min_settlements,
                                      created_by=acting_user)
    if queue:
        from .tasks import screening_run_task

        send_on_commit(screening_run_task, run.pk)  # a broker outage leaves the run pending, no error page
    return run


def _fen_sum(field: str) -> Sum:
    """A column's exact sum in whole fen: SQLite sums decimals as floats (17559578.0899999), so
    each amount is made a whole number of fen first, and whole numbers sum exactly on both databases."""
    return Sum(Cast(Round(F(field) * 100), BigIntegerField()))


def _fingerprint(year: int) -> str:
    """The year's settlement data as the run saw it: rows, out-of-pocket total and total cost
    (29,941 | 17,559,578.09 | 48,097,501.78), the same on either database for the same data."""
    totals = SettlementRecord.objects.filter(year=year).aggregate(
        rows=Count("id"), out_of_pocket=_fen_sum("out_of_pocket"), total=_fen_sum("total_cost"))
    out_of_pocket, total = (Decimal(totals[key] or 0) / 100 for key in ("out_of_pocket", "total"))
    return f"{totals['rows']:,} | {format_money(out_of_pocket)} | {format_money(total)}"


def screening_run_execute(*, run: ScreeningRun) -> ScreeningRun:
    """Compute the targets. Deterministic: the same data and parameters give the same targets."""
    outermost = not transaction.get_connection().in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            # The threshold pass and the per-person sums are separate statements: one snapshot for
            # all of them, so an import committing in between cannot split a target's figures.
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        return _execute(run)


def _execute(run: ScreeningRun) -> ScreeningRun:
    run = ScreeningRun.objects.select_for_update().get(pk=run.pk)
    if run.status == ScreeningRun.Status.DONE:
        return run  # idempotent: a redelivered task does nothing
    started = time.monotonic()
    run.targets.all().delete()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # a city's year groups into 1.5 M people: keep the hash in memory
            cursor.execute("SET LOCAL work_mem = '256MB'")
    # One pass over the year's partition with only what the threshold rules need; the other
    # figures are then summed for the few people who pass, through the (person, year) index.
    passing = (SettlementRecord.objects.filter(year=run.year).values("person_id")
               .annotate(oop=Sum("out_of_pocket"), visits=Count("id"))
               .filter(oop__gte=run.threshold, visits__gte=run.min_settlements)
               .values_list("person_id", flat=True))
    people = InsuredPerson.objects.filter(pk__in=passing)
    if run.local_only:
        people = people.filter(is_local=True)
    if run.exclude_deceased:
        people = people.filter(is_deceased=False)
    people = {person.pk: person for person in people.only("pk", "region_id")}
    figures = _figures(run.year, sorted(people))
    institutions = _top_institutions(run.year, sorted(people))
    targets = []
    for person_id in sorted(people):
        row = figures[person_id]
        fund_paid = row["basic"] + row["critical"] + row["assistance"]
        targets.append(WarningTarget(
            run=run, person_id=person_id, region_id=people[person_id].region_id, total_cost=row["total"],
            fund_paid=fund_paid, out_of_pocket=row["oop"], settlement_count=row["visits"],
            own_share=((row["oop"] / row["total"]).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
                       if row["total"] else Decimal("0")),  # 四舍五入, like every amount in the portal
            top_institutions=institutions.get(person_id, []),
        ))
    WarningTarget.objects.bulk_create(targets, batch_size=2000)
    run.status = ScreeningRun.Status.DONE
    run.target_count = len(targets)
    run.data_fingerprint = _fingerprint(run.year)
    run.seconds = Decimal(f"{time.monotonic() - started:.2f}")
    run.finished_at = timezone.now()
    run.message = f"{run.year} 年个人自付 ≥ {money_label(run.threshold)}的预警对象 {len(targets)} 人"
    run.save()
    return run


def _figures(year: int, person_ids: list[int]) -> dict[int, dict]:
    """Each person's sums for the year (total, fund-paid parts, out-of-pocket, number of visits)."""
    figures = {}
    for start in range(0, len(person_ids), 2000):
        rows = (SettlementRecord.objects.filter(year=year, person_id__in=person_ids[start:start + 2000])
                .values("person_id").annotate(total=Sum("total_cost"), basic=Sum("fund_basic"),
                                              critical=Sum("fund_critical"), assistance=Sum("fund_assistance"),
                                              oop=Sum("out_of_pocket"), visits=Count("id")))
        figures.update((row["person_id"], row) for row in rows)
    return figures


def _top_institutions(year: int, person_ids: list[int]) -> dict[int, list[list]]:
    """Each person's institutions by cost, biggest first (ties by name, so runs are reproducible)."""
    by_person: dict[int, list[tuple[Decimal, str]]] = defaultdict(list)
    for start in range(0, len(person_ids), 2000):
        rows = (SettlementRecord.objects.filter(year=year, person_id__in=person_ids[start:start + 2000])
                .values("person_id", "institution").annotate(amount=Sum("total_cost")))
        for row in rows:
            by_person[row["person_id"]].append((row["amount"], row["institution"]))
    return {
        person_id: [[name, str(to_money(amount))]
                    for amount, name in sorted(items, key=lambda i: (-i[0], i[1]))[:TOP_INSTITUTIONS]]
        for person_id, items in by_person.items()
    }


def screening_run_fail(*, run_id: int) -> None:
    if ScreeningRun.objects.filter(pk=run_id).exclude(status=ScreeningRun.Status.DONE).update(
            status=ScreeningRun.Status.FAILED, finished_at=timezone.now(),
            message="筛查失败：系统内部错误，没有保存任何结果。请联系管理员后重新发起。"):
        history_record_update(ScreeningRun, [run_id], reason="筛查失败")


@records_actor
@transaction.atomic
def screening_run_share(*, run: ScreeningRun, acting_user) -> ScreeningRun:
    """The MSB shares a finished run with civil affairs: from now on CAB officers see its targets,
    and each target not yet under review that year becomes a review case (first screening)."""
    if not acting_user.has_perm("assistance.share_screeningrun"):
        raise PermissionError("您没有共享筛查结果的权限")
    run = ScreeningRun.objects.select_for_update().get(pk=run.pk)
    if run.status != ScreeningRun.Status.DONE:
        raise ValidationError("筛查尚未完成，不能共享")
    if run.shared_at is not None:
        raise ValidationError("该批次已于 %(at)s 共享", params={"at": f"{timezone.localtime(run.shared_at):%Y-%m-%d %H:%M}"})
    run.shared_at = timezone.now()
    run.shared_by = acting_user
    run._change_reason = "共享给民政局"
    run.save(update_fields=["shared_at", "shared_by"])
    review_cases_open_for_run(run=run, acting_user=acting_user)  # each target becomes a review case
    return run
