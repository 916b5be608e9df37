"""Celery's autodiscovery imports each app's tasks module: this one imports each stage's, so a
worker registers them all. Every task keeps its name assistance.tasks.<function> (queued messages
and the beat schedule use it), wherever the function lives."""
from .followup import tasks as followup_tasks  # noqa: F401
from .intake import tasks as intake_tasks  # noqa: F401
from .outreach import tasks as outreach_tasks  # noqa: F401
from .payouts import tasks as payouts_tasks  # noqa: F401
from .review import tasks as review_tasks  # noqa: F401
