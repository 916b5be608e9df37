"""Healthcheck of the web container: GET /healthz on gunicorn must answer 200.

/healthz answers 503 when the database is unreachable; its body names each dependency
("database: ok", "cache: unavailable (...)" ...), printed here when the check fails.

The request carries a Host from ALLOWED_HOSTS and X-Forwarded-Proto: https, exactly as
nginx would send it, so neither ALLOWED_HOSTS nor SECURE_SSL_REDIRECT gets in the way.
"""
import http.client
import os
import sys

hosts = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()]
host = next((h.lstrip(".") for h in hosts if h != "*"), "localhost")

try:
    conn = http.client.HTTPConnection("127.0.0.1", 8000, timeout=8)  # healthz waits up to DB_CONNECT_TIMEOUT (5 s)
    conn.request("GET", "/healthz", headers={"Host": host, "X-Forwarded-Proto": "https"})
    response = conn.getresponse()
    body = response.read(512)
except OSError as exc:
    sys.exit(f"unhealthy: {exc}")
if response.status != 200:
    sys.exit(f"unhealthy: HTTP {response.status} {body.decode(errors='replace').strip()}")
