"""Templates are data the provider registers: parameters exactly as named, never a web address in a
parameter (Tencent refuses it), the site's address written into the text, every real template short
enough for one or two SMS segments."""
import pytest
from django.core.exceptions import ImproperlyConfigured

from fundportal.notices.templates import TEMPLATES, template_add, template_check

pytestmark = pytest.mark.django_db


def test_a_web_address_as_a_parameter_is_refused_and_the_site_is_part_of_the_text(settings):
    settings.SITE_URL = "https://fund.example.cn"
    template = template_add("probe_link", "请在{site}/progress/ 查询申请{number}")
    try:
        assert template.param_order == ["number"]
        assert template.render({"number": "2023000001"}) == "请在https://fund.example.cn/progress/ 查询申请2023000001"
        with pytest.raises(ImproperlyConfigured, match="web address"):
            template_check("probe_link", {"number": "https://evil.example/x"})
        with pytest.raises(ImproperlyConfigured, match="takes"):
            template_check("probe_link", {"number": "1", "link": "x"})
    finally:
        del TEMPLATES["probe_link"]


def test_every_registered_template_names_its_parameters_once_and_fits_two_segments(settings):
    settings.SITE_URL = "https://fund.example.cn"
    assert {"family_received", "family_paid", "donor_receipt", "staff_digest"} <= set(TEMPLATES)
    for template in TEMPLATES.values():
        sample = {name: "一二三四五六" for name in template.param_order}
        text = template.render(sample)
        assert "{" not in text, template.code
        assert len(text) <= 134, (template.code, len(text))  # 2 × 67 characters: a long SMS of two parts
