"""The import's spool holds rows and writes them a file per month (spool.py), and finds repeated
settlement numbers by hashes written a bucket at a time (repeats.py): whatever the batch and
buffer sizes, each month reads back whole and in row order, and a repeat anywhere in the file —
within a buffer, across buffers, across months — is found."""
import datetime as dt

import polars as pl
import pytest

from assistance.importing import repeats, spool as spool_module
from assistance.importing.spool import Spool


def _rows(start: int, count: int, *, numbers=None) -> pl.DataFrame:
    return pl.DataFrame({
        "row_no": list(range(start, start + count)),
        "settlement_no": numbers or [f"JS{index}" for index in range(start, start + count)],
        "settled_on": [dt.date(2022, 1 + index % 3, 1 + index % 28) for index in range(start, start + count)],
    })


@pytest.mark.parametrize("hold_rows", [1, 7, 1000])
def test_each_month_reads_back_whole_and_in_row_order(tmp_path, monkeypatch, hold_rows):
    monkeypatch.setattr(spool_module, "HOLD_ROWS", hold_rows)
    spool = Spool(directory=tmp_path)
    for start in range(0, 100, 9):
        spool.add(_rows(start, min(9, 100 - start)))
    spool.finish()
    assert spool.rows_valid == 100 and sum(spool.month_rows.values()) == 100 and spool.months == [1, 2, 3]
    for month in (1, 2, 3):
        read = pl.concat(list(spool.batches(month)))["row_no"].to_list()
        assert read == [index for index in range(100) if index % 3 == month - 1]
        assert spool.rows_in(month) == len(read)
    assert sorted(pl.concat(list(spool.batches()))["row_no"].to_list()) == list(range(100))


@pytest.mark.parametrize("flush_after", [1, 5, 1_000_000])
@pytest.mark.parametrize("first, second", [(3, 4), (0, 99), (50, 51)])
def test_a_repeated_settlement_number_is_found_wherever_it_is(tmp_path, monkeypatch, flush_after, first, second):
    monkeypatch.setattr(repeats, "FLUSH_AFTER", flush_after)
    numbers = [f"JS{index}" for index in range(100)]
    numbers[second] = numbers[first]  # rows of different months when first and second differ mod 3
    spool = Spool(directory=tmp_path)
    for start in range(0, 100, 10):
        spool.add(_rows(start, 10, numbers=numbers[start:start + 10]))
    spool.finish()
    assert spool.has_repeats()


@pytest.mark.parametrize("flush_after", [1, 5, 1_000_000])
def test_distinct_settlement_numbers_are_not_repeats(tmp_path, monkeypatch, flush_after):
    monkeypatch.setattr(repeats, "FLUSH_AFTER", flush_after)
    spool = Spool(directory=tmp_path)
    for start in range(0, 100, 10):
        spool.add(_rows(start, 10))
    spool.finish()
    assert not spool.has_repeats()
    assert not Spool(directory=tmp_path / "none").has_repeats()  # an empty file has none
