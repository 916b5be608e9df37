"""The MSB's part of the demo: a synthetic settlement year for the city, imported and screened.

The real fund screened 2022's costs in 2023. The file is generated (seeded) with household
regions drawn from the demo city's villages, imported through the same service as an upload,
screened at the real threshold (50,000) and shared with civil affairs.
"""
import datetime as dt
import tempfile
from decimal import Decimal
from pathlib import Path

from assistance.intake.services import settlement_import_create, settlement_import_run
from assistance.models import ScreeningRun, SettlementImport
from assistance.intake.services import screening_run_create, screening_run_execute
from assistance.followup.services import screening_run_share_and_follow
from benchmarks.synthetic import write_year
from fundportal.models import Region

from .regions import DEMO_TOWN, DEMO_VILLAGE
from .story import on

SETTLEMENT_YEAR = 2022
DEMO_ROWS = 30_000
# Once the fund had money: the year's data imported, screened, and the warning list shared.
IMPORTED_ON, SCREENED_ON, SHARED_ON = dt.date(2023, 7, 17), dt.date(2023, 7, 18), dt.date(2023, 7, 18)


def load_medical_year(*, acting_user, rows: int = DEMO_ROWS) -> tuple[SettlementImport, ScreeningRun]:
    villages = list(Region.objects.filter(level=Region.Level.VILLAGE).values_list("code", flat=True))
    # The demo's own village (韩田村, where cab_village works) twice as often as the others, and its
    # town's villages too, so the town and village officers have cases of their own to work on.
    demo_town = list(Region.objects.filter(level=Region.Level.VILLAGE, parent__name=DEMO_TOWN)
                     .values_list("code", flat=True))
    villages += demo_town * 3 + list(Region.objects.filter(name=DEMO_VILLAGE, parent__name=DEMO_TOWN)
                                     .values_list("code", flat=True)) * 6
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{SETTLEMENT_YEAR}年医保结算数据.csv"
        # More seriously ill people than a real city has, so a small demo still has a warning list.
        write_year(path, rows=rows, year=SETTLEMENT_YEAR, seed=2022, regions=villages, heavy_share=0.02)
        with on(IMPORTED_ON):
            job = settlement_import_create(year=SETTLEMENT_YEAR, file_name=path.name, acting_user=acting_user)
            job = settlement_import_run(job=job, path=path)
    with on(SCREENED_ON):
        run = screening_run_create(year=SETTLEMENT_YEAR, threshold=Decimal("50000"), acting_user=acting_user,
                                   queue=False)
        run = screening_run_execute(run=run)
    with on(SHARED_ON, 15):
        run = screening_run_share_and_follow(run=run, acting_user=acting_user)
    return job, run


def settlement_year_is_loaded() -> bool:
    return SettlementImport.objects.filter(year=SETTLEMENT_YEAR, state=SettlementImport.State.DONE).exists()



