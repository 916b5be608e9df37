from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class DonationsConfig(AppConfig):
    name = "donations"
    verbose_name = _("捐赠")

    def ready(self):
        from . import notices  # noqa: F401 (registers the donors' SMS templates, which a worker renders)
        from .defaults import donations_schedule_on_migrate

        post_migrate.connect(donations_schedule_on_migrate, dispatch_uid="donations_schedule")
