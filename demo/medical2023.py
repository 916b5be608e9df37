"""The MSB's second year in the demo: 2023's settlements arrive as monthly files (the backlog of
January to June when the fund starts, then each month early in the next), a corrected March is
sent again, and the year is screened and shared in March 2024 — new warning targets, and apart
from them the follow-up of 2022's beneficiaries (防止返贫监测).

The rows are generated (seeded) for people the MSB already knows from 2022: most with small bills,
a few seriously ill (the new warning list), and 2022's paid families with costs over the
follow-up line (their follow-up). Of two families still under review since 2022, one's applicant
dies (人员状态 死亡) and the other moves away (迁出): what was pending on them stops.
"""
import csv
import datetime as dt
import random
import tempfile
from decimal import Decimal
from pathlib import Path

from assistance.followup.services import screening_run_share_and_follow
from assistance.intake.services import (screening_run_create, screening_run_execute, settlement_import_create,
                                        settlement_import_run)
from assistance.models import Application, InsuredPerson, ReviewCase, ScreeningRun, SettlementImport

from .regions import DEMO_VILLAGE
from .story import on

YEAR = 2023
HEADER = ["结算编号", "身份证号", "姓名", "户籍地", "参保类型", "人员状态", "结算日期", "医疗机构", "是否省内",
          "医疗总费用", "基本医保支付", "大病保险支付", "医疗救助支付", "个人自付"]
INSTITUTIONS = ["瑞安市人民医院", "温州医科大学附属第一医院", "瑞安市中医院", "浙江大学医学院附属第一医院",
                "瑞安市塘下人民医院", "上海交通大学医学院附属瑞金医院"]
POPULATION, HEAVY = 2400, 40  # people with 2023 bills; of them, the seriously ill
# When each month's file arrived: January to June together when the fund began, then monthly.
BACKLOG_ON = dt.date(2023, 7, 20)
ARRIVALS = {month: BACKLOG_ON for month in range(1, 7)} | {
    7: dt.date(2023, 8, 10), 8: dt.date(2023, 9, 11), 9: dt.date(2023, 10, 10), 10: dt.date(2023, 11, 10),
    11: dt.date(2023, 12, 11), 12: dt.date(2024, 1, 10)}
RESENT_MONTH, RESENT_ON = 3, dt.date(2024, 1, 22)  # the MSB corrected March's institution codes
SCREENED_ON, SHARED_ON = dt.date(2024, 3, 4), dt.date(2024, 3, 5)


def _money(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01'))}"


class _Rows:
    """The year's rows, by month, each a list of CSV cells."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.by_month: dict[int, list[list[str]]] = {month: [] for month in range(1, 13)}
        self.count = 0

    def add(self, person: InsuredPerson, out_of_pocket: Decimal, *, month: int | None = None, status: str = "") -> None:
        month = month or self.rng.randint(1, 12)
        day = dt.date(YEAR, month, self.rng.randint(1, 28))
        basic = (out_of_pocket * Decimal("1.5")).quantize(Decimal("0.01"))
        total = basic + out_of_pocket
        self.count += 1
        self.by_month[month].append([
            f"JS{YEAR}{self.count:07d}", person.resident_id, person.name, person.household_region_text,
            "城乡居民医保", status, day.isoformat(), self.rng.choice(INSTITUTIONS), "是", _money(total), _money(basic),
            "0.00", "0.00", _money(out_of_pocket)])

    def bills(self, person: InsuredPerson, total: Decimal, visits: int, **kwargs) -> None:
        """`visits` bills adding up to `total` (to the cent)."""
        shares = [Decimal(self.rng.randint(5, 20)) for _ in range(visits)]
        parts = [(total * share / sum(shares)).quantize(Decimal("0.01")) for share in shares]
        parts[-1] += total - sum(parts)
        for part in parts:
            self.add(person, part, **kwargs)


def _paid_2022() -> list[InsuredPerson]:
    ids = Application.objects.filter(year=YEAR - 1, state=Application.State.PAID).values("person_id")
    return list(InsuredPerson.objects.filter(pk__in=ids).order_by("pk"))


def demo_rows() -> _Rows:
    """2023's rows: 2022's people, the paid families given the costs of their story."""
    rng = random.Random(YEAR)
    rows = _Rows(rng)
    paid = _paid_2022()
    known = list(InsuredPerson.objects.filter(region__isnull=False, is_deceased=False)
                 .exclude(pk__in=[p.pk for p in paid]).order_by("pk")[:POPULATION])
    for index, person in enumerate(known):
        heavy = index % (POPULATION // HEAVY) == 0
        total = Decimal(rng.randint(52000, 120000) if heavy else rng.randint(80, 9000))
        rows.bills(person, total, rng.randint(3, 6) if heavy else rng.randint(1, 3))
    for index, person in enumerate(paid):  # each over the follow-up line (20,000), under the warning line
        rows.bills(person, Decimal("26800.00") + 1300 * index, 3)
    pending = (ReviewCase.objects.filter(year=YEAR - 1, state__in=ReviewCase.OPEN_STATES, applications__isnull=False)
               .exclude(region__name=DEMO_VILLAGE).select_related("person").distinct().order_by("pk"))
    for (case, month, status, cost) in zip(pending, (11, 12), ("死亡", "迁出"), (Decimal("4100.00"), Decimal("650.00"))):
        rows.add(case.person, cost, month=month, status=status)  # died in November; moved to Shanghai in December
    return rows


def _write(path: Path, rows: list[list[str]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)


def load_medical_2023(*, acting_user) -> tuple[list[SettlementImport], ScreeningRun]:
    """Import the twelve monthly files (and March again), screen 2023, share it."""
    rows = demo_rows()
    jobs = []
    with tempfile.TemporaryDirectory() as folder:
        arrivals = sorted(ARRIVALS.items(), key=lambda item: (item[1], item[0])) + [(RESENT_MONTH, RESENT_ON)]
        for month, arrived in arrivals:
            resent = arrived == RESENT_ON
            path = Path(folder) / f"{YEAR}年{month:02d}月医保结算数据{'（更正）' if resent else ''}.csv"
            month_rows = rows.by_month[month]
            if resent:  # corrected institution names: the same settlements, replaced, never doubled
                month_rows = [[*row[:7], row[7].replace("瑞安市中医院", "瑞安市中医院（瑞安市第二人民医院）"), *row[8:]]
                              for row in month_rows]
            _write(path, month_rows)
            with on(arrived, 11):
                job = settlement_import_create(year=YEAR, month=month, file_name=path.name, acting_user=acting_user)
                jobs.append(settlement_import_run(job=job, path=path))
    with on(SCREENED_ON):
        run = screening_run_create(year=YEAR, threshold=Decimal("50000"), acting_user=acting_user, queue=False)
        run = screening_run_execute(run=run)
    with on(SHARED_ON, 15):
        run = screening_run_share_and_follow(run=run, acting_user=acting_user)
    return jobs, run
