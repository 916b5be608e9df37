"""The API has a browsable reference at /api/docs/: Swagger UI from our own static files (nothing
from the internet), with no inline script or style, so it works under the site's strict CSP."""
import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

pytestmark = pytest.mark.django_db

DOCS = reverse("api_docs")


def _assets(html: str) -> list[str]:
    return re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)


def test_the_api_reference_page_loads_with_only_local_assets(client):
    response = client.get(DOCS)
    html = response.content.decode()
    assert response.status_code == 200 and "swagger-ui" in html
    assets = _assets(html)
    assert any("swagger-ui-bundle.js" in url for url in assets) and any("swagger-ui.css" in url for url in assets)
    for url in assets:
        assert url.startswith("/") and not url.startswith("//"), url
        if url.startswith("/static/"):
            assert finders.find(url.removeprefix("/static/")), url  # shipped with the site, not fetched
    assert "http://" not in html and "https://" not in html


def test_the_api_reference_page_has_no_inline_script_or_style_and_keeps_the_csp(client):
    response = client.get(DOCS)
    html = response.content.decode()
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html) is None
    assert "<style" not in html and " style=" not in html
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp


def test_the_start_up_script_points_at_the_local_schema_and_no_other_site_may_load_it(client):
    response = client.get(DOCS, {"script": ""})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/javascript")
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    assert "no-store" in response["Cache-Control"]
    script = response.content.decode()
    assert 'url: "/api/schema/"' in script and "SwaggerUIBundle(" in script


def test_the_schema_behind_it_documents_the_token_header(client):
    schema = client.get(reverse("schema"), HTTP_ACCEPT="application/json").json()
    token_scheme = next(s for s in schema["components"]["securitySchemes"].values() if s.get("name") == "Authorization")
    assert token_scheme["in"] == "header"
    assert "/api/donations/" in schema["paths"]


def test_the_api_reference_is_linked_from_the_staff_desks(client, finance):
    client.force_login(finance)
    assert DOCS in client.get(reverse("admin:index")).content.decode()
