"""Each person's last valid row, and who died or moved (last_rows.py), found from lines written a
bucket at a time: whatever the flush size and however a person's rows spread over the batches,
the result is what one pass over the whole file in memory gives."""
import random

import polars as pl
import pytest

from assistance.importing import last_rows
from assistance.importing.last_rows import LastRowFinder


def _file(seed: int, rows: int = 500, people: int = 60) -> pl.DataFrame:
    rng = random.Random(seed)
    return pl.DataFrame({
        "person_key": [rng.randrange(10 ** 16, 10 ** 16 + people) for _ in range(rows)],
        "row_no": list(range(1, rows + 1)),
        "is_deceased": [rng.random() < 0.01 for _ in range(rows)],
        "is_moved": [rng.random() < 0.01 for _ in range(rows)],
    })


def _reference(frame: pl.DataFrame) -> tuple[list[int], list[int], list[int]]:
    last, deceased, moved = {}, set(), set()
    for key, row_no, dead, gone in frame.iter_rows():
        last[key] = max(last.get(key, 0), row_no)
        if dead:
            deceased.add(key)
        if gone:
            moved.add(key)
    return sorted(last.values()), sorted(deceased), sorted(moved)


@pytest.mark.parametrize("flush_after", [1, 37, 1_000_000])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_last_rows_are_those_of_one_pass_over_the_whole_file(tmp_path, monkeypatch, flush_after, seed):
    monkeypatch.setattr(last_rows, "FLUSH_AFTER", flush_after)
    frame = _file(seed)
    finder = LastRowFinder(tmp_path)
    for start in range(0, frame.height, 45):  # batches, as the check hands them on
        finder.add(frame.slice(start, 45))
    found = finder.finish()
    numbers, deceased, moved = _reference(frame)
    assert found.row_numbers.to_list() == numbers
    assert (found.deceased.to_list(), found.moved.to_list()) == (deceased, moved)
    assert deceased and moved  # the flags were exercised
    assert not list(tmp_path.glob("last-*"))  # the bucket files are gone once read


def test_a_file_without_valid_rows_has_no_last_rows(tmp_path):
    found = LastRowFinder(tmp_path).finish()
    assert (found.row_numbers.len(), found.deceased.len(), found.moved.len()) == (0, 0, 0)
