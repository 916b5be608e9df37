"""Resident ID (GB 11643) and unified social credit code (GB 32100) checks."""
import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric, uscc

from fundportal.identifiers import validate_resident_id, validate_uscc

VALID_RIC = "11010519491231002X"  # the GB 11643 standard's own example


def _with_check_ric(body17: str) -> str:
    return body17 + ric.calc_check_digit(body17 + "?")  # stdnum ignores the last character


def _with_check_uscc(body17: str) -> str:
    return body17 + uscc.calc_check_digit(body17)


HOSPITAL_USCC = _with_check_uscc("12330381470181234")
AGRICULTURE_USCC = _with_check_uscc("N2330381MA2ABCDEF")  # N: registered by agriculture authorities
OTHER_USCC = _with_check_uscc("Y1330381MA2ABCDEF")  # Y: other registration authorities


class TestResidentId:
    def test_standard_example_is_valid(self):
        assert validate_resident_id(VALID_RIC) == VALID_RIC

    def test_lower_case_x_is_normalised(self):
        assert validate_resident_id(VALID_RIC.lower()) == VALID_RIC

    def test_full_width_digits_and_spaces_are_normalised(self):
        full_width = "１１０１０５ １９４９１２３１ ００２ｘ"
        assert validate_resident_id(full_width) == VALID_RIC

    def test_wrong_check_character_is_refused(self):
        with pytest.raises(ValidationError, match="校验位"):
            validate_resident_id(VALID_RIC[:17] + "1")

    @pytest.mark.parametrize("value", ["", "11010519491231002", "11010519491231002X1", "110105194912"])
    def test_wrong_length_is_refused(self, value):
        with pytest.raises(ValidationError, match="18位"):
            validate_resident_id(value)

    def test_letters_in_body_are_refused(self):
        with pytest.raises(ValidationError, match="数字"):
            validate_resident_id("1101051949A231002X")

    def test_impossible_birth_date_is_refused(self):
        with pytest.raises(ValidationError, match="不存在"):
            validate_resident_id(_with_check_ric("33038119500230123"))

    def test_future_birth_date_is_refused(self):
        with pytest.raises(ValidationError, match="不合理"):
            validate_resident_id(_with_check_ric("33038120990101123"))

    def test_region_code_newer_than_birth_year_is_accepted(self):
        # 瑞安市 became 330381 in 1987; its residents born in 1950 still hold 330381 numbers.
        assert validate_resident_id(_with_check_ric("33038119500101123"))

    @given(
        birth=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2020, 12, 31)),
        region=st.sampled_from(["330381", "110105", "440305"]),
        serial=st.integers(min_value=0, max_value=999),
    )
    def test_any_number_with_its_computed_check_is_valid(self, birth, region, serial):
        number = _with_check_ric(f"{region}{birth:%Y%m%d}{serial:03d}")
        assert validate_resident_id(number) == number

    @given(
        birth=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2020, 12, 31)),
        serial=st.integers(min_value=0, max_value=999),
        wrong=st.sampled_from("0123456789X"),
    )
    def test_any_other_check_character_is_refused(self, birth, serial, wrong):
        body = f"330381{birth:%Y%m%d}{serial:03d}"
        if wrong == ric.calc_check_digit(body + "?"):
            return
        with pytest.raises(ValidationError):
            validate_resident_id(body + wrong)


class TestUscc:
    def test_valid_code(self):
        assert validate_uscc(HOSPITAL_USCC) == HOSPITAL_USCC

    @pytest.mark.parametrize("code", [AGRICULTURE_USCC, OTHER_USCC])
    def test_n_and_y_registration_authorities_are_valid(self, code):
        assert validate_uscc(code) == code

    def test_lower_case_and_full_width_are_normalised(self):
        messy = " " + HOSPITAL_USCC.lower().replace("1", "１") + "\u3000"
        assert validate_uscc(messy) == HOSPITAL_USCC

    def test_wrong_check_character_is_refused(self):
        wrong = "0" if HOSPITAL_USCC[-1] != "0" else "1"
        with pytest.raises(ValidationError, match="校验位"):
            validate_uscc(HOSPITAL_USCC[:17] + wrong)

    @pytest.mark.parametrize("code", ["", "9133038147018123", "91330381470181234XX"])
    def test_wrong_length_is_refused(self, code):
        with pytest.raises(ValidationError, match="18位"):
            validate_uscc(code)

    def test_forbidden_letters_are_refused(self):
        with pytest.raises(ValidationError, match="不允许"):
            validate_uscc("91330381MA2I8XYZ1T")

    @given(body=st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=9, max_size=9),
           authority=st.sampled_from(["11", "12", "51", "52", "91", "92", "93", "N1", "Y1"]))
    def test_any_code_with_its_computed_check_is_valid(self, body, authority):
        code = _with_check_uscc(f"{authority}330381{body}")
        assert validate_uscc(code) == code

    @given(body=st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=9, max_size=9),
           wrong=st.sampled_from("0123456789ABCDEFGHJKLMNPQRTUWXY"))
    def test_any_other_check_character_is_refused(self, body, wrong):
        base = f"91330381{body}"
        if wrong == uscc.calc_check_digit(base):
            return
        with pytest.raises(ValidationError):
            validate_uscc(base + wrong)
