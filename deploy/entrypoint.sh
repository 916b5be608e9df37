#!/bin/sh
# Entry point of the fundportal image. First argument = role:
#   web      gunicorn behind nginx (default)
#   worker   Celery worker           (scale freely)
#   beat     Celery beat             (exactly ONE per deployment)
#   anything else is executed as given, e.g. `python manage.py migrate --noinput`.
set -eu

fail() { echo "entrypoint: $*" >&2; exit 64; }

# Refuse the placeholder secrets docker-compose.yml falls back to when .env is missing.
# (Same reading of DEBUG as django-environ: anything but true/on/ok/y/yes/1 is False.)
case "$(printf %s "${DEBUG:-True}" | tr 'A-Z' 'a-z')" in
  true|on|ok|y|yes|1) ;;
  *)
    case "${SECRET_KEY:-}" in
      ""|change-me*) fail "SECRET_KEY is unset or still the placeholder; set it in .env (see .env.example)" ;;
    esac
    case "${DATABASE_URL:-}" in
      *change-me*) fail "POSTGRES_PASSWORD is still the placeholder; set it in .env (see .env.example)" ;;
    esac
    ;;
esac

role="${1:-web}"
case "$role" in
  web)
    shift || true
    # Publish this image's collected static files to the volume nginx serves /static/ from.
    python /app/deploy/sync_static.py /app/staticfiles "${STATIC_SHARE_DIR:-/srv/static}"
    exec gunicorn --config /app/deploy/gunicorn.conf.py "$@" deploy.wsgi:application
    ;;
  worker)
    shift || true
    exec celery -A fundportal worker \
      --loglevel "${LOG_LEVEL:-INFO}" \
      --concurrency "${CELERY_CONCURRENCY:-2}" \
      --max-tasks-per-child "${CELERY_MAX_TASKS_PER_CHILD:-200}" \
      "$@"
    ;;
  beat)
    shift || true
    # The scheduler (django_celery_beat DatabaseScheduler) is set in settings.
    exec celery -A fundportal beat --loglevel "${LOG_LEVEL:-INFO}" "$@"
    ;;
  *)
    exec "$@"
    ;;
esac
