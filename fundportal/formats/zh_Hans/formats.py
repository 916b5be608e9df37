"""Amounts the way finance staff write them in China: 1,234,567.89 (Django's zh_Hans has no grouping)."""
from django.conf.locale.zh_Hans.formats import *  # noqa: F401,F403

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
