"""Which cost year the clerk's look-up offers first. The fund assists the costs of the year before
(2023 costs in 2024, disclosure/funnel.py COST_YEAR_LAG); the form offers the newest year the MSB
has imported — but the MSB also sends the running year's data (often monthly, DESIGN.md §9), and
the running year's costs are not the year being assisted. From its first import of January on,
the running year must not become the clerks' default."""
import pytest

from assistance.applications.forms import LookupForm
from tests.fixtures.factories import SettlementImportFactory

from .helpers import at

pytestmark = pytest.mark.django_db


def test_the_running_years_first_monthly_file_does_not_become_the_default_cost_year(msb):
    SettlementImportFactory(year=2022, created_by=msb)
    SettlementImportFactory(year=2023, created_by=msb)
    with at(2024, 1, 20, 9, 0, 0):
        assert LookupForm().fields["year"].initial == 2023
        SettlementImportFactory(year=2024, created_by=msb, file_name="2024年1月结算.csv")  # the first monthly file
        assert LookupForm().fields["year"].initial == 2023
    with at(2025, 1, 1, 0, 0, 1):  # the next year, from Beijing's midnight: 2024 is the year assisted
        assert LookupForm().fields["year"].initial == 2024


def test_without_an_import_of_a_past_year_the_default_is_last_year(msb):
    with at(2024, 1, 1, 0, 0, 1):  # 31 December 2023 in UTC
        assert LookupForm().fields["year"].initial == 2023
        SettlementImportFactory(year=2024, created_by=msb)
        assert LookupForm().fields["year"].initial == 2023
