"""The funnel's tests: the region tree's towns and villages (tests/fixtures/regions.py) and two
more towns, where people of the cost year live; public files into a folder of the test's own."""
import pytest

from fundportal.models import Region


@pytest.fixture(autouse=True)
def _public_files_in_tmp(public_root):
    return public_root


@pytest.fixture
def places(regions) -> list[Region | None]:
    """Towns, villages, and None: someone whose household region is no town of the city."""
    city = regions["city"]
    extra = [Region.objects.create(code=f"33038110{n}000", name=name, level=Region.Level.TOWN, parent=city)
             for n, name in ((3, "飞云街道"), (4, "仙降街道"))]
    return [regions[key] for key in ("anyang", "xincheng", "xincheng_village", "tangxia", "hantian", "shadu",
                                     "mayu", "gaolou")] + extra + [None]
