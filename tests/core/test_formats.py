from decimal import Decimal

from django.template import Context, Template
from django.utils import translation


def test_amounts_are_grouped_by_thousands_in_chinese_pages():
    with translation.override("zh-hans"):
        rendered = Template("{% load humanize %}{{ a }}|{{ a|intcomma }}").render(Context({"a": Decimal("311000.00")}))
    assert rendered == "311,000.00|311,000.00"
