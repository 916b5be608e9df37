from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AssistanceConfig(AppConfig):
    name = "assistance"
    verbose_name = _("医疗救助")

    def ready(self):
        from .defaults import review_defaults_on_migrate

        post_migrate.connect(review_defaults_on_migrate, dispatch_uid="assistance_review_defaults")
