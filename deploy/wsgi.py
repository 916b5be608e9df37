"""WSGI entry point of the web container: Django behind nginx.

Every request reaches gunicorn from nginx, so REMOTE_ADDR is nginx's container address.
nginx puts the client's address (after its own trusted-proxy handling) in X-Real-IP,
overwriting whatever the client sent; restoring it here keeps per-client limits per
client (the receipt look-up's per-address counters, django-axes' username+IP
lockouts) instead of one shared bucket for everybody. The web container publishes no
port, so only nginx (and the stack's own containers) can set this header.
"""
from fundportal.wsgi import application as django_application


def application(environ, start_response):
    real_ip = environ.get("HTTP_X_REAL_IP", "").strip()
    if real_ip:
        environ["REMOTE_ADDR"] = real_ip
    return django_application(environ, start_response)
