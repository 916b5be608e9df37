"""API answers are private unless a view says otherwise: staff data must never sit in a shared
cache. The public API sets its own `Cache-Control: public` and is left alone."""
from django.utils.cache import patch_cache_control


class ApiNoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith("/api/") and not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        return response
