from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Loads the realistic demo (`manage.py load_demo`). Imports every app; nothing imports it."""

    name = "demo"
    verbose_name = "演示数据"
