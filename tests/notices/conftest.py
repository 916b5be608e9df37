"""The notices' tests: a registered test template, and Tencent Cloud SMS faked on 127.0.0.1."""
import pytest

from fundportal.notices.templates import template_add

from . import fake_provider
from .fake_provider import FakeTencentSms

PHONE = "13812345678"
MASKED = "138****5678"
TEMPLATE = "test_received"  # NoticeFactory's template
PROVIDER_TEMPLATE = "2188001"
template_add(TEMPLATE, "{name}您好，您的救助申请（编号{number}）已受理，请留意后续短信。", name="测试：申请已受理")


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
