"""The browsable API reference (/api/docs/): Swagger UI from drf-spectacular-sidecar's files,
under the site's strict CSP. The split view loads its start-up code as a separate script
(`?script`), so the page has no inline script and no inline style."""
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularSwaggerSplitView


class ApiDocsView(SpectacularSwaggerSplitView):
    template_name = "api_docs.html"
    url_name = "schema"

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        # The start-up script carries a CSRF token: no other site may load it.
        response["Cross-Origin-Resource-Policy"] = "same-origin"
        return response


def request_bodies_as_taken(result, generator, request, public):
    """drf-spectacular postprocessing hook: each request body's schema says what the API takes — no
    property beyond those declared (the site refuses a form field whose name holds NUL before DRF
    could ignore it) and no NUL in a string (DRF refuses it). A client generating requests from the
    schema (schemathesis in tests/disclosure/test_schema.py) then sends only what is accepted; and
    every operation taking a body documents the 415 DRF answers to one it cannot read."""
    schemas = result.get("components", {}).get("schemas", {})
    for path in result.get("paths", {}).values():
        for operation in path.values():
            body = operation.get("requestBody") if isinstance(operation, dict) else None
            for media in (body or {}).get("content", {}).values():
                name = media.get("schema", {}).get("$ref", "").rpartition("/")[2]
                _closed(schemas.get(name))
            if body:  # a body DRF cannot read as any media type it parses is refused with 415, on every one
                operation.setdefault("responses", {}).setdefault("415", {"description": "请求体的媒体类型不受支持或无法解析"})
    return result


def _closed(schema: dict | None) -> None:
    if not schema or schema.get("type") != "object":
        return
    schema["additionalProperties"] = False
    for field in schema.get("properties", {}).values():
        if field.get("type") == "string" and not {"pattern", "format", "enum"} & field.keys():
            field["pattern"] = "^[^\\u0000]*$"
