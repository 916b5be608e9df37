"""Normalising text as it arrives from spreadsheets and forms."""
import unicodedata

from django.core.exceptions import ValidationError


def to_half_width(text: str) -> str:
    """Full-width digits, letters and punctuation (１２３Ｘ，) become half-width (123X,)."""
    return unicodedata.normalize("NFKC", text)


def clean_code(text: str) -> str:
    """An identifier as typed: half-width, no spaces of any kind, upper case."""
    return "".join(to_half_width(text or "").split()).upper()


def digits_only(text: str) -> str:
    """A bank account as printed ("6228 4800 …") or typed: its ASCII digits only."""
    return "".join(ch for ch in text or "" if ch in "0123456789")


def decode_spreadsheet_text(data: bytes) -> str:
    """CSV files from Chinese offices come as UTF-8 (with or without BOM) or GBK/GB18030."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030")


MARKS_PER_LETTER = 2  # accents stacked deeper than this (Zalgo text) are dropped


def free_text_clean(text: str) -> str:
    """Free text as a person meant it: without the characters no one sees (zero-width spaces,
    direction overrides, other format and control characters but line breaks and tabs) and
    without marks stacked beyond MARKS_PER_LETTER on one letter; trimmed."""
    kept, marks = [], 0
    for ch in text or "":
        category = unicodedata.category(ch)
        if category == "Cf" or (category == "Cc" and ch not in "\n\t"):
            continue
        marks = marks + 1 if category == "Mn" else 0
        if marks <= MARKS_PER_LETTER:
            kept.append(ch)
    return "".join(kept).strip()


def visible_length(text: str) -> int:
    """How many characters a reader sees: not spaces, not marks on another letter."""
    return sum(1 for ch in text if not ch.isspace() and unicodedata.category(ch) != "Mn")


def free_text_checked(value: str, *, field: str, label: str, max_length: int, min_length: int = 0) -> str:
    """`value` cleaned (free_text_clean) and its length checked, at least `min_length` visible
    characters: ValidationError({field: Chinese message}) otherwise. Ten zero-width spaces are not
    an objection's five characters."""
    value = free_text_clean(value)
    if visible_length(value) < min_length:
        raise ValidationError({field: f"请填写{label}（至少 {min_length} 个字）" if min_length > 1 else f"请填写{label}"})
    if len(value) > max_length:
        raise ValidationError({field: f"{label}最多 {max_length} 个字，当前 {len(value)} 个字"})
    return value
