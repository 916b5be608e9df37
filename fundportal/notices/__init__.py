"""Notices (SMS first): one outbox, sent by Celery, exactly once per event and recipient.

models.py the outbox row; templates.py the registered templates (data, with provider codes from
settings); services.py enqueueing and sending; backends.py console/file and real providers;
tasks.py the Celery side; selectors.py what staff see (phones masked)."""
