from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AssistanceConfig(AppConfig):
    name = "assistance"
    verbose_name = _("医疗救助")

    def ready(self):
        from fundportal.notices.consent import notice_consent_register
        from fundportal.notices.models import Notice
        from fundportal.notices.selectors import notice_scope_register

        from . import notify  # noqa: F401 (registers the families' SMS templates, which a worker renders)
        from .outreach import queue  # noqa: F401 (registers the outreach items of the work queue)
        from .applications.models import Application
        from .applications.selectors import applications_for_user

        # An area-bound officer sees the notices of the applications they may see.
        notice_scope_register(Application, lambda user: applications_for_user(user=user))
        # A family that opted out after an event was told is not sent it (asked at sending).
        notice_consent_register(Notice.Audience.FAMILY, family_still_wants)

        post_migrate.connect(defaults_on_migrate, dispatch_uid="assistance_review_defaults")
        work_queue_register()


def work_queue_register() -> None:
    """Each stage's kinds of work on the staff's work queue (fundportal/workqueue.py)."""
    from fundportal.workqueue import register

    from .appeals.queue import APPEAL_QUEUE
    from .applications.queue import CLERK_QUEUE, COSTING_QUEUE
    from .council.queue import RESOLUTION_QUEUE
    from .followup.queue import FOLLOWUP_QUEUE
    from .intake.queue import IMPORT_QUEUE, RUN_QUEUE
    from .payouts.queue import BATCH_QUEUE, FLAG_QUEUE
    from .publicity.queue import OBJECTION_QUEUE
    from .review.queue import REVIEW_QUEUE

    for queue in (IMPORT_QUEUE, RUN_QUEUE, REVIEW_QUEUE, COSTING_QUEUE, CLERK_QUEUE, RESOLUTION_QUEUE,
                  OBJECTION_QUEUE, BATCH_QUEUE, FLAG_QUEUE, APPEAL_QUEUE, FOLLOWUP_QUEUE):
        register(queue.items)


def family_still_wants(notice) -> bool:
    """A family notice about an application: only while the family consents and has not opted out."""
    from django.contrib.contenttypes.models import ContentType

    from . import notify
    from .applications.models import Application

    if notice.subject_id is None or notice.subject_type_id != ContentType.objects.get_for_model(Application).pk:
        return True  # about no application: nothing recorded to ask
    application = Application.objects.filter(pk=notice.subject_id).first()
    return application is None or notify.family_may_be_told(application)


def defaults_on_migrate(sender, using="default", **kwargs) -> None:
    """Each stage's starting data (categories, deadlines, member agencies, schedules), if missing."""
    if sender.label != "assistance":
        return
    from .council.defaults import council_defaults_ensure
    from .followup.defaults import followup_defaults_ensure
    from .outreach.defaults import outreach_defaults_ensure
    from .review.defaults import review_defaults_ensure

    review_defaults_ensure(using=using)
    council_defaults_ensure(using=using)
    outreach_defaults_ensure(using=using)
    followup_defaults_ensure(using=using)
