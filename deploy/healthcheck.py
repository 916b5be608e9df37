"""Healthcheck of the web container: GET /healthz on gunicorn must answer 200 "ok".

The request carries a Host from ALLOWED_HOSTS and X-Forwarded-Proto: https, exactly as
nginx would send it, so neither ALLOWED_HOSTS nor SECURE_SSL_REDIRECT gets in the way.
"""
import http.client
import os
import sys

hosts = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()]
host = next((h.lstrip(".") for h in hosts if h != "*"), "localhost")

try:
    conn = http.client.HTTPConnection("127.0.0.1", 8000, timeout=5)
    conn.request("GET", "/healthz", headers={"Host": host, "X-Forwarded-Proto": "https"})
    response = conn.getresponse()
    body = response.read(64)
except OSError as exc:
    sys.exit(f"unhealthy: {exc}")
if response.status != 200 or body.strip() != b"ok":
    sys.exit(f"unhealthy: HTTP {response.status} {body[:40]!r}")
