from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AssistanceConfig(AppConfig):
    name = "assistance"
    verbose_name = _("医疗救助")

    def ready(self):
        post_migrate.connect(defaults_on_migrate, dispatch_uid="assistance_review_defaults")
        from .outreach import queue  # noqa: F401  (registers the outreach items of the work queue)


def defaults_on_migrate(sender, using="default", **kwargs) -> None:
    """Each stage's starting data (categories, deadlines, member agencies, schedules), if missing."""
    if sender.label != "assistance":
        return
    from .council.defaults import council_defaults_ensure
    from .outreach.defaults import outreach_defaults_ensure
    from .review.defaults import review_defaults_ensure

    review_defaults_ensure(using=using)
    council_defaults_ensure(using=using)
    outreach_defaults_ensure(using=using)
