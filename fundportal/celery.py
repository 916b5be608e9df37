import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fundportal.settings")

app = Celery("fundportal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.after_setup_logger.connect
@signals.after_setup_task_logger.connect
def _mask_personal_data(logger=None, **kwargs):
    # Celery replaces the root handlers with its own when a worker starts: they mask too.
    from fundportal.logsafe import install

    install(logger.handlers)
