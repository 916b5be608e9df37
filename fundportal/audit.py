"""Who is acting, for the audit trail (django-simple-history).

Services are called from views, admin, imports, tasks and commands. Each write service is
decorated with `records_actor`, which makes its `acting_user` the author of every history row
written inside it — even where no request exists (Celery, management commands, tests).
"""
import functools
from contextvars import ContextVar

_actor: ContextVar = ContextVar("fundportal_actor", default=None)


def history_user(instance=None, request=None, **kwargs):
    """simple-history's get_user: the acting service user first, then the request's user."""
    actor = _actor.get()
    if actor is not None:
        return actor
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def records_actor(func):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        token = _actor.set(kwargs.get("acting_user"))
        try:
            return func(*args, **kwargs)
        finally:
            _actor.reset(token)

    return wrapper
