"""No personal data reaches a log: every handler masks ID-, phone- and account-shaped strings in
the message, its arguments, the exception text and the traceback."""
import io
import logging
import logging.config

import pytest
from django.conf import settings
from django.db import IntegrityError, connection, transaction

from fundportal.logsafe import PersonalDataFilter, install, mask_personal_data
from fundportal.masking import mask_bank_account, mask_phone, mask_resident_id
from tests.fixtures.factories import make_resident_id

RESIDENT_ID = make_resident_id(7)
MOBILE = "13857712345"
LANDLINE = "0577-65812345"
ACCOUNT = "6228480012345673256"


def _configured_logger(name: str):
    """A logger wired by a copy of settings.LOGGING's console handler, writing into a buffer."""
    stream = io.StringIO()
    config = {**settings.LOGGING, "handlers": {"console": {**settings.LOGGING["handlers"]["console"],
                                                            "stream": stream}},
              "root": {"handlers": [], "level": "INFO"},
              "loggers": {name: {"handlers": ["console"], "level": "INFO", "propagate": False}}}
    logging.config.dictConfig(config)
    return logging.getLogger(name), stream


@pytest.fixture
def restore_logging():
    yield
    logging.config.dictConfig(settings.LOGGING)


def test_every_handler_in_the_logging_settings_masks_personal_data():
    assert settings.LOGGING["handlers"]
    for name, handler in settings.LOGGING["handlers"].items():
        assert "personal_data" in handler.get("filters", []), name
    assert settings.LOGGING["filters"]["personal_data"]["()"] == "fundportal.logsafe.PersonalDataFilter"
    # Django's own default handlers (which would print unmasked) are replaced by ours.
    for name in ("django", "django.server"):
        assert settings.LOGGING["loggers"][name]["handlers"] == ["console"]


def test_every_live_handler_outside_the_test_runner_carries_the_filter():
    # NullHandlers (libraries' "no output unless configured") write nothing.
    loggers = [logging.getLogger()] + [logging.getLogger(name) for name in logging.Logger.manager.loggerDict]
    handlers = {h for logger in loggers for h in getattr(logger, "handlers", [])
                if not type(h).__module__.startswith("_pytest") and not isinstance(h, logging.NullHandler)}
    assert handlers
    for handler in handlers:
        assert any(isinstance(f, PersonalDataFilter) for f in handler.filters), handler


def test_messages_and_their_arguments_are_masked(restore_logging):
    logger, stream = _configured_logger("fundportal.test.args")
    logger.warning("申请人 %s 电话 %s / %s 账户 %s", RESIDENT_ID, MOBILE, LANDLINE, ACCOUNT)
    logger.warning(f"duplicate key {RESIDENT_ID}重复; 卡号 6228 4800 1234 5673 256")
    out = stream.getvalue()
    for secret in (RESIDENT_ID, MOBILE, "65812345", ACCOUNT, "6228 4800 1234 5673"):
        assert secret not in out, secret
    assert mask_resident_id(RESIDENT_ID) in out and mask_phone(MOBILE) in out
    assert mask_bank_account(ACCOUNT) in out


def test_exception_text_and_traceback_are_masked(restore_logging):
    logger, stream = _configured_logger("fundportal.test.exc")
    resident_id = RESIDENT_ID
    try:
        raise ValueError(f"Key (resident_id)=({resident_id}) already exists. phone={MOBILE}")
    except ValueError:
        logger.exception("insert failed for %s", resident_id)
    out = stream.getvalue()
    assert "Traceback" in out and "ValueError" in out and "already exists" in out
    assert RESIDENT_ID not in out and MOBILE not in out
    assert mask_resident_id(RESIDENT_ID) in out


@pytest.mark.django_db
def test_a_real_database_constraint_error_is_logged_masked(restore_logging):
    logger, stream = _configured_logger("fundportal.test.db")
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE logsafe_probe (resident_id varchar(18) UNIQUE)")
        cursor.execute("INSERT INTO logsafe_probe VALUES (%s)", [RESIDENT_ID])
        try:
            with transaction.atomic():
                cursor.execute("INSERT INTO logsafe_probe VALUES (%s)", [RESIDENT_ID])
        except IntegrityError:
            logger.exception("get-or-create lost the race")
    out = stream.getvalue()
    assert "IntegrityError" in out and RESIDENT_ID not in out


def test_handlers_that_walk_the_traceback_get_only_the_masked_text():
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "boom %s", (RESIDENT_ID,), None)
    try:
        raise RuntimeError(RESIDENT_ID)
    except RuntimeError:
        import sys
        record.exc_info = sys.exc_info()
    assert PersonalDataFilter().filter(record) is True  # masks, never drops
    assert record.exc_info is None and RESIDENT_ID not in record.exc_text and RESIDENT_ID not in record.getMessage()


def test_celery_worker_handlers_get_the_filter():
    from fundportal.celery import _mask_personal_data

    logger = logging.getLogger("celery.test.worker")
    handler = logging.StreamHandler(io.StringIO())
    logger.addHandler(handler)
    try:
        _mask_personal_data(logger=logger)
        _mask_personal_data(logger=logger)  # idempotent: one filter
        assert sum(isinstance(f, PersonalDataFilter) for f in handler.filters) == 1
    finally:
        logger.removeHandler(handler)


@pytest.mark.parametrize("harmless", [
    "GET /admin/donations/donation/123/change/ HTTP/1.1 200",
    "sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "request 3f2a8c1e-4b5d-4e6f-8a9b-0c1d2e3f4a5b took 35 ms",
    "receipt 2026-000123 printed on 2026-12-01 19:41:05",
])
def test_ordinary_log_lines_are_left_alone(harmless):
    assert mask_personal_data(harmless) == harmless


def test_install_adds_the_filter_once():
    handler = logging.NullHandler()
    install([handler])
    install([handler])
    assert sum(isinstance(f, PersonalDataFilter) for f in handler.filters) == 1
