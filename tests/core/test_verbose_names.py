"""Every field and model of the portal's apps has a Chinese name: Django makes one up from the
attribute otherwise ("opened at", "chain head"), and it shows on list filters ("以 opened at"),
history pages, permission names and error messages."""
import re

from django.apps import apps
from django.db import models

PORTAL_APPS = ("fundportal", "donations", "assistance", "disclosure")
HAN = re.compile(r"[\u4e00-\u9fff]")
# Named on purpose without Chinese: a hash's standard name (shown so on the public pages too).
NOT_CHINESE = {"SHA-256"}


def _portal_models():
    for app in PORTAL_APPS:
        for model in apps.get_app_config(app).get_models():
            if not hasattr(model, "instance_type"):  # simple-history's copies: named by fundportal.permission_labels
                yield model


def test_every_model_and_field_of_the_portal_has_a_chinese_name():
    unnamed = []
    for model in _portal_models():
        if not HAN.search(str(model._meta.verbose_name)) or not HAN.search(str(model._meta.verbose_name_plural)):
            unnamed.append(model._meta.label)
        for field in model._meta.get_fields():
            if not getattr(field, "concrete", False) or isinstance(field, models.AutoField | models.BigAutoField):
                continue  # reverse relations, a generic foreign key (its two columns are named), a row's ID
            name = str(field.verbose_name)
            if not HAN.search(name) and name not in NOT_CHINESE:
                unnamed.append(f"{model._meta.label}.{field.name}: {name}")
    assert unnamed == []
