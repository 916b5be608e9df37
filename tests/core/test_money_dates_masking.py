import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fundportal.dates import parse_date
from fundportal.masking import COMPOUND_SURNAMES, mask_bank_account, mask_name, mask_phone, mask_resident_id
from fundportal.money import amount_in_capitals, parse_money, to_money


@pytest.mark.parametrize("text, expected", [
    ("1,234.50", "1234.50"), ("1234.5元", "1234.50"), ("￥ 5,000", "5000.00"), ("１２３４．５", "1234.50"),
    (" 311000 ", "311000.00"), ("人民币17800元", "17800.00"), ("84，500", "84500.00"),
])
def test_amounts_as_people_write_them(text, expected):
    assert parse_money(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["", "abc", "12.345", "1.2.3", "--5"])
def test_bad_amounts_are_refused_in_chinese(text):
    with pytest.raises(ValueError, match="金额"):
        parse_money(text)


def test_floats_never_become_money():
    with pytest.raises(TypeError):
        to_money(0.1)
    with pytest.raises(TypeError):
        parse_money(0.1)


@pytest.mark.parametrize("amount, words", [
    ("1000000", "壹佰万元整"), ("311000", "叁拾壹万壹仟元整"), ("17800", "壹万柒仟捌佰元整"),
    ("1234.56", "壹仟贰佰叁拾肆元伍角陆分"), ("100.05", "壹佰元零伍分"), ("3000000", "叁佰万元整"),
])
def test_amount_in_chinese_capitals(amount, words):
    assert amount_in_capitals(Decimal(amount)) == words


@pytest.mark.parametrize("text", ["2022/3/5", "2022-03-05", "2022.3.5", "2022年3月5日", "20220305", "44625",
                                  "２０２２／３／５", "2022-03-05 00:00:00", 44625])
def test_dates_as_spreadsheets_write_them(text):
    assert parse_date(text) == dt.date(2022, 3, 5)


@pytest.mark.parametrize("text", ["", "2022/2/30", "yesterday", "123", "3/5/2022"])
def test_bad_dates_are_refused_in_chinese(text):
    with pytest.raises(ValueError, match="日期"):
        parse_date(text)


@pytest.mark.parametrize("name, masked", [
    ("张三", "张*"), ("张三丰", "张*丰"), ("张小三丰", "张**丰"),
    ("欧阳修", "欧阳*"), ("欧阳娜娜", "欧阳*娜"), ("司马相如", "司马*如"), ("诸葛孔明明", "诸葛**明"),
    (" 王五 ", "王*"), ("", ""),
    # Names in parts: joined by ·, whatever separator they came with.
    ("阿依古丽·买买提", "阿***·**提"), ("迪丽热巴•迪力木拉提", "迪***·****提"),
])
def test_names_are_masked_keeping_the_surname(name, masked):
    assert mask_name(name) == masked


@pytest.mark.parametrize("name, masked", [
    # Was 张 → 张: a one-character name is hidden whole.
    ("张", "*"), ("A", "*"),
    # A given name after a space of any kind (U+3000 too) is still a Han name.
    ("张 三丰", "张*丰"), ("张　三丰", "张*丰"), ("张\u3000三", "张*"), ("欧阳 娜娜", "欧阳*娜"), ("张\u200b三", "张*"),
    # Two parts around any dot: neither part shows whole.
    ("阿·布", "*·*"), ("阿・布", "*·*"), ("阿．布", "*·*"), ("阿‧布", "*·*"), ("买买提.艾力", "买**·*力"),
    # Latin letters, hyphens, apostrophes, mixed scripts.
    ("John Smith", "J***·****h"), ("Al", "A*"), ("Bob", "B*b"), ("Mary-Jane O'Neil", "M***·****·*·***l"),
    ("张John", "张***n"), ("Zoë Li", "Z**·*i"), ("Zoe\u0308 Li", "Z**·*i"),
    # Nothing that is a letter: nothing shows.
    ("·", "*"), ("123", "*"),
])
def test_no_shape_of_name_shows_a_given_name_whole(name, masked):
    assert mask_name(name) == masked


def test_masks_match_the_one_format():
    assert mask_name("张三丰") == "张*丰"
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳娜娜") == "欧阳*娜"
    assert mask_name("司马光") == "司马*"
    assert mask_resident_id("33038119500101123X") == "3303**********123X"
    assert mask_phone("13812341234") == "138****1234"
    assert mask_bank_account("6228480012345673256") == "6228 **** **** 3256"


SURNAMES = "张王李赵陈林黄周吴徐孙胡朱高何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段漕钱汤尹黎易常武乔贺赖龚文"
HAN = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
SPACES = st.sampled_from([" ", "\u3000", "\u00a0", "\u2002", "\t"])
SEPARATORS = st.sampled_from(["·", "•", "．", ".", "‧", "・", "-", "—", " ", "\u3000", "_", "/", "'"])
LETTERS = st.characters(categories=["Lu", "Ll", "Lo"])


@given(surname=st.sampled_from(SURNAMES), given_name=st.text(HAN, min_size=1, max_size=4),
       space=st.one_of(st.just(""), SPACES))
def test_a_han_name_keeps_its_surname_and_never_shows_its_given_name(surname, given_name, space):
    masked = mask_name(surname + space + given_name)
    assert masked.startswith(surname) and masked[1] == "*"
    assert given_name not in masked[1:]
    assert len(masked) == 1 + len(given_name)


@given(surname=st.sampled_from(sorted(COMPOUND_SURNAMES)), given_name=st.text(HAN, min_size=1, max_size=3))
def test_a_compound_surname_is_kept_whole(surname, given_name):
    masked = mask_name(surname + given_name)
    assert masked.startswith(surname) and masked[2] == "*" and given_name not in masked[2:]


@given(st.lists(st.text(LETTERS, min_size=1, max_size=6), min_size=1, max_size=4), st.data())
def test_no_part_of_a_name_shows_whole_whatever_separates_the_parts(parts, data):
    separators = [data.draw(SEPARATORS) for _ in parts[1:]]
    name = parts[0] + "".join(sep + part for sep, part in zip(separators, parts[1:]))
    masked = mask_name(name)
    assert "*" in masked
    surname_kept = 2 if masked[:2] in COMPOUND_SURNAMES else 0  # 欧阳*娜: the one pair allowed
    for part in parts:
        assert len(part) < 2 or part not in masked or part == masked[:surname_kept]
    assert not any(a not in "*·" and b not in "*·" for a, b in zip(masked[surname_kept:], masked[surname_kept + 1:]))


@given(st.text(max_size=12))
def test_any_text_as_a_name_shows_at_most_two_letters_and_never_a_whole_part(text):
    masked = mask_name(text)
    shown = [ch for ch in masked if ch not in "*·"]
    assert len(shown) <= 3  # a compound surname (2) and a last letter, at most
    surname_kept = 2 if masked[:2] in COMPOUND_SURNAMES else 1
    for a, b in zip(masked[surname_kept:], masked[surname_kept + 1:]):
        assert a in "*·" or b in "*·"
