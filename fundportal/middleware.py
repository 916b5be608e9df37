"""The portal's own middleware: API answers kept private, requests holding NUL characters refused."""
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext, override

from .views import error_page, page_language


class ApiNoStoreMiddleware:
    """API answers are private unless a view says otherwise: staff data must never sit in a shared
    cache. The public API sets its own `Cache-Control: public` and is left alone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith("/api/") and not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        return response


class RefuseNulMiddleware:
    """A request whose query string, form fields, uploaded file names or cookies hold a NUL
    character is answered 400, before anything reads them: PostgreSQL cannot store or compare a
    NUL in text, so `?state=%00` on any list (or a NUL in any form field or the session cookie)
    was an error page. No real browser or client sends one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _holds_nul(request):
            # The site's 400 page (JSON under /api/); nothing of the request is read.
            with override(page_language(request)):
                message = gettext("请求中含有空字符（NUL），已拒绝")
            return error_page(request, "400.html", 400, {"reason": message})
        return self.get_response(request)


def _holds_nul(request) -> bool:
    if any("\0" in key or "\0" in value for key, value in request.COOKIES.items()):
        return True
    if "\0" in request.path or _query_holds_nul(request.GET):
        return True
    if request.method == "POST" and request.content_type in ("application/x-www-form-urlencoded",
                                                              "multipart/form-data"):
        return _query_holds_nul(request.POST) or any(
            "\0" in key or any("\0" in (upload.name or "") for upload in uploads)
            for key, uploads in request.FILES.lists())
    return False


def _query_holds_nul(query) -> bool:
    return any("\0" in key or any("\0" in value for value in values) for key, values in query.lists())
