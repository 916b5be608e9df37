import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fundportal.dates import parse_date
from fundportal.masking import mask_bank_account, mask_name, mask_phone, mask_resident_id
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
    ("张", "张"), ("张三", "张*"), ("张三丰", "张*丰"), ("张小三丰", "张**丰"),
    ("欧阳修", "欧阳*"), ("欧阳娜娜", "欧阳*娜"), ("司马相如", "司马*如"), ("诸葛孔明明", "诸葛**明"),
    ("阿依古丽·买买提", "阿***·**提"), ("迪丽热巴•迪力木拉提", "迪***•****提"), (" 王五 ", "王*"), ("", ""),
])
def test_names_are_masked_keeping_the_surname(name, masked):
    assert mask_name(name) == masked


def test_masks_match_the_one_format():
    assert mask_name("张三丰") == "张*丰"
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳娜娜") == "欧阳*娜"
    assert mask_resident_id("33038119500101123X") == "3303**********123X"
    assert mask_phone("13812341234") == "138****1234"
    assert mask_bank_account("6228480012345673256") == "6228 **** **** 3256"


@given(st.text(min_size=2, max_size=6, alphabet="张王李赵陈林黄周吴徐孙胡朱高何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段漕钱汤尹黎易常武乔贺赖龚文"))
def test_masked_name_keeps_surname_and_hides_the_given_name(name):
    masked = mask_name(name)
    assert masked[0] == name[0] and len(masked) == len(name) and "*" in masked and masked[1] == "*"
