"""No personal data in the logs: every handler masks ID-, phone- and account-shaped strings, the
values in URLs' query strings and IP addresses.

A log line is read by people who may not see the data (operators, log shippers, support), and
exception text is the usual way personal data escapes: a constraint error quotes the duplicate
key (`Key (resident_id)=(330381…)`), a traceback prints the arguments. `PersonalDataFilter` sits
on every handler (settings.LOGGING, and Celery's handlers through fundportal.celery) and rewrites
the record before any handler formats it: the message with its arguments, the exception text and
traceback, the stack. Masks are the ones every page uses (fundportal.masking).

A URL's query string carries what people typed or were given: a name searched for
(`?q=%E8%92%8B%E8%8A%B3`), a receipt's number and verification code from its QR code. Its values
are masked, its parameter names kept (`?q=…`, `?number=…&code=…`), whatever logs the URL: the
request log of runserver (django.server), django.request, a traceback. Client addresses (IPv4,
IPv6) are masked too. gunicorn's and nginx's access lines leave both out (deploy/).
"""
import ipaddress
import logging
import re
import traceback

from .masking import mask_bank_account, mask_phone, mask_resident_id

# Digit runs stand alone: not inside a longer run of letters and digits (a hash, a UUID), though
# Chinese text may touch them (身份证号330381…重复).
_EDGE_BEFORE = r"(?<![0-9A-Za-z])"
_EDGE_AFTER = r"(?![0-9A-Za-z])"
_PATTERNS = [
    # Resident ID: 18 characters (17 digits and a check digit or X), or the old 15 digits.
    (re.compile(_EDGE_BEFORE + r"(?:\d{17}[\dXx]|\d{15})" + _EDGE_AFTER), mask_resident_id),
    # Bank accounts: 12 to 19 digits, plain or printed in groups of four.
    (re.compile(_EDGE_BEFORE + r"(?:\d{4}[ -]){2,4}\d{1,4}" + _EDGE_AFTER), mask_bank_account),
    (re.compile(_EDGE_BEFORE + r"\d{12,19}" + _EDGE_AFTER), mask_bank_account),
    # Mobile numbers (+86 optional, 138 1234 5678 as written) and landlines with an area code.
    (re.compile(_EDGE_BEFORE + r"(?:\+?86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}" + _EDGE_AFTER), mask_phone),
    (re.compile(_EDGE_BEFORE + r"0\d{2,3}[ -]?\d{7,8}" + _EDGE_AFTER), mask_phone),
]


# A path or URL and its query string: everything up to a space, a quote or a bracket.
_QUERY = re.compile(r"""((?:https?://[^\s/?#"'<>]+)?/[^\s?#"'<>]*)\?([^\s#"'<>]*)""")
_IPV4 = re.compile(r"(?<![\d.])(?:\d{1,3}\.){3}\d{1,3}(?![\d.])")
_IPV6 = re.compile(r"(?<![0-9A-Fa-f:])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|(?:\d{1,3}\.){3}\d{1,3})?"
                   r"(?![0-9A-Fa-f:])")
MASKED_VALUE = "…"
MASKED_IP = "IP:***"


def mask_query_values(query: str) -> str:
    """`q=蒋芳&page=2` → `q=…&page=…`: which parameters were sent, none of their values."""
    return "&".join(part.split("=", 1)[0] + ("=" + MASKED_VALUE if "=" in part else "") if part else part
                    for part in query.split("&"))


def _mask_ip(match: re.Match) -> str:
    try:
        ipaddress.ip_address(match.group(0))
    except ValueError:
        return match.group(0)  # a time (12:30:45), a version number: not an address
    return MASKED_IP


def mask_personal_data(text: str) -> str:
    text = _QUERY.sub(lambda match: f"{match.group(1)}?{mask_query_values(match.group(2))}", text)
    for pattern, mask in _PATTERNS:
        text = pattern.sub(lambda match, mask=mask: mask(match.group(0)), text)
    text = _IPV4.sub(_mask_ip, text)
    return _IPV6.sub(_mask_ip, text)


class PersonalDataFilter(logging.Filter):
    """Masks the record in place (so every later handler sees the masked one); never drops it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string still gets logged, masked
            message = f"{record.msg} {record.args}"
        record.msg, record.args = mask_personal_data(message), None
        if record.exc_info:
            # The text replaces the exception object itself: handlers that would walk the
            # traceback's frames (and their local variables) get the masked text only.
            text = record.exc_text or "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
            record.exc_info = None
            record.exc_text = mask_personal_data(text)
        elif record.exc_text:
            record.exc_text = mask_personal_data(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_personal_data(record.stack_info)
        return True


def install(handlers) -> None:
    """Put the filter on handlers created outside settings.LOGGING (Celery's own)."""
    for handler in handlers:
        if not any(isinstance(f, PersonalDataFilter) for f in handler.filters):
            handler.addFilter(PersonalDataFilter())
