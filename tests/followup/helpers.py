"""Helpers of the follow-up tests (plain functions; the fixtures are in conftest.py)."""
import datetime as dt
from decimal import Decimal

from django.utils import timezone

from assistance.followup.services import screening_run_share_and_follow
from assistance.models import Application, ScreeningRun
from tests.fixtures.factories import ApplicationFactory, InsuredPersonFactory, SettlementRecordFactory

YEAR = 2023
# (name, village key, 2023 out-of-pocket, 2022 out-of-pocket): over the follow-up line, a sharp
# rise, over the line.
FAMILIES = [("赵一明", "hantian", "26000.00", "61000.00"), ("钱二强", "hantian", "15000.00", "8000.00"),
            ("孙三妹", "shadu", "30000.00", "55000.00")]


def _family(name: str, region, now: str, before: str, clerk):
    """Paid for 2022 (its application entered by the clerk), with a settlement in each year."""
    person = InsuredPersonFactory(name=name, region=region)
    ApplicationFactory(person=person, year=YEAR - 1, state=Application.State.PAID, region=region, entered_by=clerk,
                       phone="13912345678")
    for year, amount in ((YEAR, Decimal(now)), (YEAR - 1, Decimal(before))):
        SettlementRecordFactory(person=person, year=year, settled_on=dt.date(year, 3, 5), out_of_pocket=amount,
                                total_cost=amount * 2, fund_basic=amount)
    return person


def flag_families(regions, *, msb, clerk, settings, families=FAMILIES) -> ScreeningRun:
    """The families paid before, then the MSB's 2023 screening shared: the real service flags them."""
    settings.FOLLOWUP_THRESHOLD, settings.FOLLOWUP_RISE_RATIO, settings.FOLLOWUP_RISE_FLOOR = "20000", "1.5", "10000"
    for name, village, now, before in families:
        _family(name, regions[village], now, before, clerk)
    run = ScreeningRun.objects.create(year=YEAR, threshold=Decimal("50000"), created_by=msb,
                                      state=ScreeningRun.State.DONE, finished_at=timezone.now())
    return screening_run_share_and_follow(run=run, acting_user=msb)
