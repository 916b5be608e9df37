"""Normalising text as it arrives from spreadsheets and forms."""
import unicodedata


def to_half_width(text: str) -> str:
    """Full-width digits, letters and punctuation (１２３Ｘ，) become half-width (123X,)."""
    return unicodedata.normalize("NFKC", text)


def clean_code(text: str) -> str:
    """An identifier as typed: half-width, no spaces of any kind, upper case."""
    return "".join(to_half_width(text or "").split()).upper()
