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
