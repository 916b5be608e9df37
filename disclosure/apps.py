from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class DisclosureConfig(AppConfig):
    name = "disclosure"
    verbose_name = _("信息公开")

    def ready(self):
        from .defaults import statement_schedules_on_migrate

        post_migrate.connect(statement_schedules_on_migrate, dispatch_uid="disclosure_statement_schedules")

        from fundportal.workqueue import register

        from .obligations.queue import calendar_queue
        from .queue import STATEMENT_QUEUE

        register(STATEMENT_QUEUE.items)  # statements to publish or build again, on the work queue
        register(calendar_queue)  # the disclosure calendar's items due soon or overdue (finance)

        from fundportal import public_record

        from .transparency.proofs import published_in

        public_record.register(published_in)  # receipts and progress pages show where money was published
