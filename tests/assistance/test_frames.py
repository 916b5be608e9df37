"""The batch rules (frames.py, polars, used by the PostgreSQL loader) against the reference
(rules.parse_row), row by row: the same rows accepted with the same values, the same errors.

No database: each example is a frame of text cells checked both ways, so hypothesis can try
many of them."""
import datetime as dt
import unicodedata

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import ric

from assistance.importing import frames
from assistance.importing.batches import WHITESPACE
from assistance.importing.columns import map_header
from assistance.importing.rules import AMOUNT_KEYS, parse_row
from benchmarks.synthetic import HEADER as SYNTHETIC_HEADER
from tests.assistance.helpers import HEADER, YEAR, rid, settlement_row
from tests.assistance.strategies import messy_rows, odd_rows

TODAY = dt.date(2024, 6, 30)
POSITIONS = map_header(HEADER)
FIELDS = ("settlement_no", "resident_id", "name", "household_region", "insured_kind", "is_deceased", "is_moved", "settled_on",
          "institution", "in_province", *AMOUNT_KEYS)


def _cells(rows: list[list[str]], width: int = len(HEADER)) -> pl.DataFrame:
    """Text cells as batches.py hands them over: row_no from 1, columns f0 … fN."""
    return pl.DataFrame({"row_no": pl.Series(range(1, len(rows) + 1), dtype=pl.Int64),
                         **{f"f{i}": pl.Series([row[i] for row in rows], dtype=pl.String) for i in range(width)}})


def _by_the_rules(rows, positions=POSITIONS):
    accepted, errors = {}, set()
    for row_no, row in enumerate(rows, start=1):
        values = {key: row[position] for key, position in positions.items()}
        parsed, problems = parse_row(values, row_number=row_no + 1, year=YEAR, today=TODAY)
        if parsed is None:
            errors |= {(row_no, column, reason) for column, reason in problems}
        else:
            accepted[row_no] = tuple(getattr(parsed, name) for name in FIELDS)
    return accepted, errors


def _by_the_batch(rows, positions=POSITIONS):
    checked = frames.check(_cells(rows, max(positions.values()) + 1), positions=positions, year=YEAR, today=TODAY)
    assert checked.typed["row_no"].is_sorted()
    accepted = {}
    for row in checked.typed.iter_rows(named=True):
        assert row["person_key"] == int(row["resident_id"][:17])
        accepted[row["row_no"]] = tuple(row[name] for name in FIELDS)
    return accepted, set(checked.errors)


def _assert_same(rows, positions=POSITIONS):
    by_batch, by_rules = _by_the_batch(rows, positions), _by_the_rules(rows, positions)
    assert by_batch[0] == by_rules[0]  # accepted rows and their values
    assert by_batch[1] == by_rules[1]  # errors


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(rows=st.lists(messy_rows(), min_size=1, max_size=30))
def test_batch_rules_agree_with_the_python_rules_on_messy_rows(rows):
    _assert_same(rows)


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(rows=st.lists(odd_rows(), min_size=1, max_size=20))
def test_batch_rules_agree_with_the_python_rules_on_odd_characters(rows):
    _assert_same(rows)


@settings(max_examples=100, deadline=None)
@given(rows=st.lists(st.lists(st.text(max_size=12), min_size=len(HEADER), max_size=len(HEADER)),
                     min_size=1, max_size=10))
def test_batch_rules_accept_nothing_the_python_rules_refuse_on_random_text(rows):
    _assert_same(rows)


@pytest.mark.parametrize("cell, value", [
    ("resident_id", None), ("settled_on", "2022-03-05"), ("total_cost", "1,000.00"), ("name", "张\u3000三"),
])
def test_a_character_newer_than_pythons_unicode_tables_goes_to_the_python_rules(monkeypatch, cell, value):
    # U+1CCF0 (OUTLINED DIGIT ZERO, Unicode 16) is "0" under polars' NFKC and unknown to Python 3.11:
    # normalised in the batch it could load a row the reference refuses, or with other values.
    judged = []
    monkeypatch.setattr(frames, "parse_row", lambda values, **kwargs: judged.append(kwargs["row_number"])
                        or parse_row(values, **kwargs))
    row = settlement_row("JS1", rid(1))
    index = HEADER.index({"resident_id": "身份证号", "settled_on": "结算日期", "total_cost": "医疗总费用",
                          "name": "姓名"}[cell])
    row[index] = (value or row[index])[:-1] + "\U0001ccf0"
    _assert_same([row])
    assert judged == [2]  # the row (line 2) was left to the reference


def test_clean_and_common_messy_rows_never_reach_the_python_rules(monkeypatch):
    """The batch tiers handle what system exports and spreadsheets usually hold; parse_row (slow,
    row by row) only sees the invalid and the truly odd."""
    calls = []
    monkeypatch.setattr(frames, "parse_row", lambda *args, **kwargs: calls.append(args) or parse_row(*args, **kwargs))
    person = rid(7)
    rows = [
        settlement_row("JS1", person),
        settlement_row("JS2", person.lower() if person.endswith("X") else person, name=" 张三 "),
        settlement_row("JS3", person, settled_on="2022/3/5", total="1,000.00", out_of_pocket="400元"),
        settlement_row("JS4", person, settled_on="2022年3月5日", total="１０００．００", basic="", out_of_pocket="1000"),
        settlement_row("JS5", person, settled_on="20220305", in_province=" 省外 ", basic="600"),
        settlement_row("JS6", person, settled_on="44625", institution="瑞安市人民医院（总院）"),
        settlement_row("JS7", person, status="死亡", region="瑞安市塘下镇韩田村"),
    ]
    accepted, errors = _by_the_batch(rows)
    assert len(accepted) == len(rows) and not errors
    assert calls == []
    _assert_same(rows)


def test_missing_optional_columns_read_as_empty_cells():
    header = [name for name in SYNTHETIC_HEADER]  # no 人员状态 (person status) column
    positions = map_header(header)
    assert "person_status" not in positions
    row = ["JS1", rid(1), "张三", "330381101000", "城乡居民医保", "2022-03-05", "瑞安市人民医院", "是",
           "1000.00", "600.00", "", "", "400.00"]
    _assert_same([row, [*row[:9], "1000.00", "", "", "1000.00"]], positions)


def test_the_white_space_class_is_pythons_on_every_character():
    characters = [chr(code) for code in range(0x110000) if not 0xD800 <= code <= 0xDFFF]
    matched = pl.Series(characters).str.contains(f"^{frames.SPACE}$").to_list()
    assert [c for c, is_space in zip(characters, matched) if is_space != c.isspace()] == []
    assert set(WHITESPACE) == set(frames.WHITESPACE) == {c for c in characters if c.isspace()}


def test_stable_characters_are_what_nfkc_leaves_alone_and_python_knows():
    characters = [chr(code) for code in range(0x110000) if not 0xD800 <= code <= 0xDFFF]
    stable = pl.Series(characters).str.contains(f"^{frames.STABLE}$").to_list()
    wrong = [c for c, is_stable in zip(characters, stable) if is_stable and (
        unicodedata.normalize("NFKC", c) != c or c.isspace() or unicodedata.category(c) == "Cn")]
    assert wrong == []


def test_the_unassigned_class_is_every_code_point_python_does_not_know():
    characters = [chr(code) for code in range(0x110000) if not 0xD800 <= code <= 0xDFFF]
    matched = pl.Series(characters).str.contains(frames._unassigned_in_python()).to_list()
    assert [c for c, hit in zip(characters, matched) if hit != (unicodedata.category(c) == "Cn")] == []


@settings(max_examples=50, deadline=None)
@given(keys=st.lists(st.integers(10 ** 16, 10 ** 17 - 1), min_size=1, max_size=200))
def test_the_check_character_tables_give_gb_11643s_check_character(keys):
    got = pl.DataFrame({"key": keys}).select(frames.check_character(pl.col("key")).alias("check"))["check"]
    assert got.to_list() == [ric.calc_check_digit(f"{key}0") for key in keys]
