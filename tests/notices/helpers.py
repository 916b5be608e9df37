"""What the notices' tests share: a phone and its mask, and a registered test template."""
from fundportal.notices.templates import template_add

PHONE = "13812345678"
MASKED = "138****5678"
TEMPLATE = "test_received"  # NoticeFactory's template
PROVIDER_TEMPLATE = "2188001"  # its id at the (fake) provider
template_add(TEMPLATE, "{name}您好，您的救助申请（编号{number}）已受理，请留意后续短信。", name="测试：申请已受理")
