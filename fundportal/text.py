"""Normalising text as it arrives from spreadsheets and forms."""
import unicodedata


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
