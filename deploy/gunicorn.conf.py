"""gunicorn settings for the web container (behind nginx; see deploy/nginx.conf)."""
import os

bind = "0.0.0.0:8000"
# 2-4 sync workers per container is the sweet spot; for more capacity add containers
# (`docker-compose up -d --scale web=N`), nginx spreads requests over them.
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# PDF receipts (WeasyPrint) and spreadsheet imports can take a while.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
# Recycle workers now and then so a slow leak cannot grow without bound.
max_requests = 1000
max_requests_jitter = 100
# The heartbeat file on tmpfs: a container's overlay filesystem can stall workers.
worker_tmp_dir = "/dev/shm"
# Only nginx reaches this port (web publishes none), so its X-Forwarded-* are trusted.
forwarded_allow_ips = "*"
# nginx already writes an access line per request; set GUNICORN_ACCESS_LOG=- for gunicorn's too.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
# No client address, no query string (a name searched for, a receipt's verification code), no
# referer (which has query strings too): the path, status, size and time only.
access_log_format = '%(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# gunicorn's runtime control socket (gunicornc) is not used in containers, and $HOME is read-only.
control_socket_disable = True
