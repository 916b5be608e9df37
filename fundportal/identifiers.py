"""Resident ID numbers (GB 11643) and unified social credit codes (GB 32100).

python-stdnum computes the check characters; the date and shape checks are ours, because
stdnum's `validate` rejects real people (region codes that did not exist in the birth year)
and accepts birth dates in the future.
"""
import datetime as dt
import re
import secrets

from django.core.exceptions import ValidationError
from django.utils import timezone
from stdnum.cn import ric, uscc

from .text import clean_code, to_half_width

# ASCII digits only: Python's \d also matches ٣ or ३, which int() reads but nothing else does.
_RIC_SHAPE = re.compile(r"^[0-9]{17}[0-9X]$")
_USCC_SHAPE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def normalize_resident_id(value: str) -> str:
    return clean_code(value)


def validate_resident_id(value: str, *, today: dt.date | None = None) -> str:
    """Return the normalised ID or raise ValidationError with a Chinese reason."""
    number = normalize_resident_id(value)
    if len(number) != 18:
        raise ValidationError("身份证号码应为18位，当前为%(n)d位", code="length", params={"n": len(number)})
    if not _RIC_SHAPE.match(number):
        raise ValidationError("身份证号码前17位应为数字，最后一位为数字或X", code="format")
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError("身份证号码中的出生日期 %(d)s 不存在", code="birth_date", params={"d": number[6:14]})
    today = today or timezone.localdate()
    if birth > today or birth.year < 1890:
        raise ValidationError("身份证号码中的出生日期 %(d)s 不合理", code="birth_date", params={"d": number[6:14]})
    # stdnum's calc_check_digit takes the whole number and ignores its last character.
    if ric.calc_check_digit(number) != number[17]:
        raise ValidationError("身份证号码校验位错误，请核对", code="checksum")
    return number


def normalize_uscc(value: str) -> str:
    return clean_code(value)


def validate_uscc(value: str) -> str:
    """Return the normalised 统一社会信用代码 or raise ValidationError with a Chinese reason.

    Registration authorities N (agriculture) and Y (other) are valid first characters.
    """
    code = normalize_uscc(value)
    if len(code) != 18:
        raise ValidationError("统一社会信用代码应为18位，当前为%(n)d位", code="length", params={"n": len(code)})
    if not _USCC_SHAPE.match(code):
        raise ValidationError("统一社会信用代码含有不允许的字符（不使用 I、O、Z、S、V）", code="format")
    if uscc.calc_check_digit(code[:17]) != code[17]:
        raise ValidationError("统一社会信用代码校验位错误，请核对", code="checksum")
    return code


# ------------------------------------------------------------------------------ mobile phones
#
# SMS reach mainland mobiles only (11 digits, 13–19…): a landline, accepted as a contact phone, is
# refused where a number is given for notices.
_MOBILE_SHAPE = re.compile(r"^1[3-9][0-9]{9}$")


def normalize_mobile_phone(value: str) -> str:
    """As typed: full-width digits, spaces, dashes and a +86 / 0086 prefix allowed."""
    number = "".join(ch for ch in to_half_width(value or "") if not ch.isspace() and ch not in "-()")
    for prefix in ("+86", "0086"):
        if number.startswith(prefix) and len(number) == len(prefix) + 11:
            number = number[len(prefix):]
    return number


def validate_mobile_phone(value: str) -> str:
    """The 11-digit mobile number, or a ValidationError in Chinese."""
    number = normalize_mobile_phone(value)
    if not _MOBILE_SHAPE.match(number):
        raise ValidationError("请填写正确的手机号码：11 位数字，以 13—19 开头（短信只能发往手机，不能发往固定电话）",
                              code="mobile")
    return number


def is_mobile_phone(value: str) -> bool:
    return bool(_MOBILE_SHAPE.match(normalize_mobile_phone(value)))


# ------------------------------------------------------------------------------ look-up codes
#
# The code printed next to a public number (a receipt's, an application's, an objection's): eight
# characters from 31 that cannot be mistaken for each other on paper (no 0/O, 1/I/L): 31^8 ≈ 8.5e11
# codes, against a guessing rate the look-up limit keeps to 10 a minute per address.
LOOKUP_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LOOKUP_LENGTH = 8


def lookup_code_new() -> str:
    return "".join(secrets.choice(LOOKUP_ALPHABET) for _ in range(LOOKUP_LENGTH))
