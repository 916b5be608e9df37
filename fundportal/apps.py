import axes.apps
from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class FundportalConfig(AppConfig):
    name = "fundportal"
    verbose_name = _("基础设置与基金账本")

    def ready(self):
        from . import jobs, states  # noqa: F401 (their system checks: every state table, every job model)
        from .notices import backends  # noqa: F401 (its system check: the notice backend can be made)
        from .dates import install_date_ranges
        from .defaults import jobs_schedule_on_migrate
        from .roles import roles_sync_on_migrate
        from .sqlite_triggers import sqlite_triggers_on_migrate
        from .validators import install_nul_message, install_text_limits

        install_date_ranges()  # every model date field gets its range (fundportal/dates.py)
        install_text_limits()  # every typed text column gets its length (fundportal/validators.py)
        install_nul_message()

        # After every migrate (and test-database flush): groups hold exactly the table's permissions.
        post_migrate.connect(roles_sync_on_migrate, dispatch_uid="fundportal_roles_sync")
        # The one requeue of every long job (fundportal/jobs.py) on the beat schedule.
        post_migrate.connect(jobs_schedule_on_migrate, dispatch_uid="fundportal_jobs_schedule")
        # SQLite (the embedded default): triggers a table rebuild dropped are created again.
        post_migrate.connect(sqlite_triggers_on_migrate, dispatch_uid="fundportal_sqlite_triggers")

        # The work queue's kinds the core owns (the apps register theirs), and the staff digest's template.
        from .digest import staff_still_wants  # (importing it registers the "staff_digest" template)
        from .notices.consent import notice_consent_register
        from .notices.models import Notice
        from .notices.queue import NOTICE_QUEUE
        from .workqueue import register
        from .workqueue_system import failed_jobs

        register(NOTICE_QUEUE.items)
        register(failed_jobs)
        # A member of staff who switched the digest off (or left) before it went out is not sent it.
        notice_consent_register(Notice.Audience.STAFF, staff_still_wants)


class AxesConfig(axes.apps.AppConfig):
    """django-axes (login attempts and lockouts) under a Chinese name in the admin: its own
    AppConfig has no verbose_name, so the admin showed its label, "Axes". Named in INSTALLED_APPS;
    not a default (FundportalConfig stays this module's one default AppConfig)."""

    default = False
    verbose_name = _("登录防护")
