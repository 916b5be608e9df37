"""Health and outages: /healthz names the dependency that failed; with the database down every
page answers 503 "系统维护中，请稍后再试" (JSON under /api/) instead of a generic 500.

/healthz answers 503 only when this process cannot serve (the database is unreachable). The
cache and the broker are reported by name when they fail, with 200: pages keep working without
them (fundportal.cache tolerates Redis being down, fundportal.queue lets jobs wait), so the web
container is not the thing to restart. Redis and PostgreSQL have their own healthchecks.
"""
import sys

from django.conf import settings
from django.core.cache import cache
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.cache import never_cache

RETRY_AFTER_SECONDS = 60
# What an unreachable database (or one restarting, or refusing connections) raises.
DATABASE_DOWN = (OperationalError, InterfaceError)


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _cache() -> None:
    client = getattr(cache, "_cache", None)
    if client is not None and hasattr(client, "get_client"):  # Redis: a PING through the cache's own pool
        client.get_client(write=True).ping()


def _broker() -> None:
    from fundportal.celery import app

    with app.connection_for_write(settings.CELERY_BROKER_URL) as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, interval_max=0,
                               timeout=settings.CELERY_BROKER_CONNECTION_TIMEOUT)


def _checks():
    yield "database", _database, True
    if settings.REDIS_URL:
        yield "cache", _cache, False
    if settings.CELERY_BROKER_URL:
        yield "broker", _broker, False


@never_cache
def healthz(request):
    """One line per dependency; the first line says ok, degraded (200) or unavailable (503)."""
    lines, critical_down, any_down = [], False, False
    for name, check, critical in _checks():
        try:
            check()
        except Exception as exc:  # a health check reports every failure, whatever its kind
            lines.append(f"{name}: unavailable ({type(exc).__name__})")
            any_down = True
            critical_down = critical_down or critical
        else:
            lines.append(f"{name}: ok")
    status = "unavailable" if critical_down else "degraded" if any_down else "ok"
    return HttpResponse("\n".join([status, *lines]) + "\n", content_type="text/plain; charset=utf-8",
                        status=503 if critical_down else 200)


def unavailable(request):
    """503 with Retry-After; renders nothing that needs the database (no session, user or CSRF)."""
    message = _("系统维护中，请稍后再试")
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message}, status=503, json_dumps_params={"ensure_ascii": False})
    else:
        response = HttpResponse(loader.get_template("503.html").render({"message": message}), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request):
    """handler500: Django calls it inside the except block of any uncaught exception."""
    if isinstance(sys.exc_info()[1], DATABASE_DOWN):
        return unavailable(request)
    return defaults.server_error(request)
