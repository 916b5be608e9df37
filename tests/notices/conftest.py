"""The notices' tests: Tencent Cloud SMS faked on 127.0.0.1 (the test template: helpers.py)."""
import pytest

from . import fake_provider
from .fake_provider import FakeTencentSms
from .helpers import PROVIDER_TEMPLATE, TEMPLATE


@pytest.fixture
def tencent(settings):
    """The real Tencent backend (its official SDK), pointed at a fake provider of our own."""
    fake = FakeTencentSms().start()
    settings.NOTICE_BACKEND = "fundportal.notices.tencent.TencentSmsBackend"
    settings.NOTICE_SMS_ENDPOINT = fake.endpoint
    settings.NOTICE_SMS_SECRET_ID = fake_provider.SECRET_ID
    settings.NOTICE_SMS_SECRET_KEY = fake_provider.SECRET_KEY
    settings.NOTICE_SMS_SDK_APP_ID = fake_provider.SDK_APP_ID
    settings.NOTICE_SMS_SIGN_NAME = fake_provider.SIGN_NAME
    settings.NOTICE_SMS_TIMEOUT = 2
    settings.NOTICE_TEMPLATE_CODES = {TEMPLATE: PROVIDER_TEMPLATE}
    yield fake
    fake.stop()
