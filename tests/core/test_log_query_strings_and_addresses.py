"""Request logs carry no query-string values and no client addresses: a name searched for in the
admin (`?q=%E8%92%8B%E8%8A%B3`), a receipt's number and verification code from its QR code, the
client IP a rate limit keys on. The log filter masks them whatever logs the line (runserver's
django.server, django.request, a traceback), the cache's outage warning names no key, and the
production access lines (gunicorn, nginx) leave them out."""
import io
import logging
import logging.config
import re
from pathlib import Path

import pytest
from django.conf import settings

from fundportal.logsafe import MASKED_IP, mask_personal_data

NAME_QUERY = "GET /admin/assistance/reviewcase/?q=%E8%92%8B%E8%8A%B3&state__exact=open HTTP/1.1"
RECEIPT_URL = "https://fund.example.cn/receipts/verify/?number=2023-000123&code=K7Q2M9XA"


@pytest.fixture
def restore_logging():
    yield
    logging.config.dictConfig(settings.LOGGING)


def _logged(name: str, *args) -> str:
    stream = io.StringIO()
    config = {**settings.LOGGING, "handlers": {"console": {**settings.LOGGING["handlers"]["console"],
                                                            "stream": stream}},
              "loggers": {name: {"handlers": ["console"], "level": "INFO", "propagate": False}}}
    logging.config.dictConfig(config)
    logging.getLogger(name).warning(*args)
    return stream.getvalue()


def test_the_request_log_keeps_the_path_and_parameter_names_but_no_query_values(restore_logging):
    out = _logged("django.server", '"%s" %s %s', NAME_QUERY, 200, 5120)
    assert "%E8%92%8B%E8%8A%B3" not in out and "open" not in out
    assert '"GET /admin/assistance/reviewcase/?q=…&state__exact=… HTTP/1.1" 200 5120' in out


def test_a_receipt_lookup_url_logs_neither_its_number_nor_its_code(restore_logging):
    out = _logged("django.request", "Bad request: %s from %s", RECEIPT_URL, "203.0.113.77")
    assert "K7Q2M9XA" not in out and "2023-000123" not in out and "203.0.113.77" not in out
    assert "https://fund.example.cn/receipts/verify/?number=…&code=…" in out and MASKED_IP in out


@pytest.mark.parametrize("address", ["203.0.113.77", "10.1.2.3", "2001:db8::8a2e:370:7334", "::ffff:203.0.113.77"])
def test_client_addresses_are_masked(address):
    assert address not in mask_personal_data(f"rate limit for {address} reached")


@pytest.mark.parametrize("harmless", ["took 12:30:45", "openpyxl 3.1.5", "GET /disclosure/statements/ HTTP/1.1",
                                      "是否继续? 否"])
def test_times_versions_and_plain_paths_are_left_alone(harmless):
    assert mask_personal_data(harmless) == harmless


def test_the_cache_outage_warning_names_the_operation_not_the_key(caplog):
    from django.core.cache.backends.redis import RedisCache

    from fundportal.cache import TolerantRedisCache

    cache = TolerantRedisCache("redis://127.0.0.1:1/0", {"OPTIONS": {"socket_connect_timeout": 0.2}})
    assert isinstance(cache, RedisCache)
    with caplog.at_level(logging.WARNING, logger="fundportal.cache"):
        assert cache.get("receipt-lookup:203.0.113.77") is None
    assert "cache unavailable (get)" in caplog.text and "203.0.113.77" not in caplog.text


def test_the_production_access_lines_leave_out_query_strings_and_addresses():
    deploy = Path(settings.BASE_DIR) / "deploy"
    gunicorn = {}
    exec((deploy / "gunicorn.conf.py").read_text(), gunicorn)
    fields = set(re.findall(r"%\((\w+)\)s", gunicorn["access_log_format"]))
    assert fields and not fields & {"h", "r", "q", "f", "a", "u"}  # address, request line, query, referer
    nginx = (deploy / "nginx.conf").read_text()
    log_format = re.search(r"log_format fundportal '([^']*)';", nginx).group(1)
    assert "$request " not in log_format and "$args" not in log_format and "$remote_addr" not in log_format
    assert "access_log /var/log/nginx/access.log fundportal;" in nginx
