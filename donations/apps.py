from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DonationsConfig(AppConfig):
    name = "donations"
    verbose_name = _("捐赠")

    def ready(self):
        from fundportal.workqueue import register

        from .queue import PLEDGE_QUEUE

        register(PLEDGE_QUEUE.items)  # overdue pledge instalments on the finance staff's work queue
