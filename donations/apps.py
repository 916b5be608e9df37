from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class DonationsConfig(AppConfig):
    name = "donations"
    verbose_name = _("捐赠")

    def ready(self):
        from . import notices  # noqa: F401 (registers the donors' SMS templates, which a worker renders)
        from fundportal.notices.consent import notice_consent_register
        from fundportal.notices.models import Notice

        from .defaults import donations_schedule_on_migrate
        from .models import Donor

        # A donor whose consent was cleared after an event was told is not sent it (asked at sending).
        notice_consent_register(Notice.Audience.DONOR, lambda notice: notices.donor_may_be_told(
            Donor.objects.filter(pk=notice.recipient_key.removeprefix("donor:")).first()))

        post_migrate.connect(donations_schedule_on_migrate, dispatch_uid="donations_schedule")

        from fundportal.workqueue import register

        from .queue import PLEDGE_QUEUE

        register(PLEDGE_QUEUE.items)  # overdue pledge instalments on the finance staff's work queue
