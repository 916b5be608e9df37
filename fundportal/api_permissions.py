"""The API classes settings.REST_FRAMEWORK names (permissions, authentication, parser,
pagination). Imported while rest_framework.views is: must not import it."""
import re

from django.utils.translation import gettext_lazy as _
from knox import auth as knox_auth
from rest_framework import exceptions, parsers
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.permissions import DjangoModelPermissions

NOT_JSON = _("请求内容不是有效的 JSON")

_KEY = re.compile(rb"[!-~]{1,200}")  # printable ASCII: every key knox issues is hex digits


class ModelPermissions(DjangoModelPermissions):
    """DjangoModelPermissions, but reading also needs the view permission (DRF lets any user read)."""

    perms_map = {
        **DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
    }


class TokenAuthentication(knox_auth.TokenAuthentication):
    """knox's, but a key that cannot be one (not printable ASCII: "Token ééé", a NUL) is refused
    like any wrong key, with a 401: knox would decode it as UTF-8 (an error page) or hand a NUL to
    PostgreSQL (another)."""

    def authenticate_credentials(self, token: bytes):
        if not _KEY.fullmatch(token):
            raise exceptions.AuthenticationFailed(_("Invalid token."))  # knox's own words for a wrong key
        return super().authenticate_credentials(token)


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, but a body nested deeper than Python's recursion limit (100,000 "[")
    is a 400 like any other bad JSON, not a RecursionError."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise exceptions.ParseError(NOT_JSON) from exc


class PageLimits(LimitOffsetPagination):
    """The pagination of every API list: `limit` at most MAX_LIMIT (a larger one is cut to it, as
    DRF does with max_limit), `offset` a whole number the database can take; anything else is a
    400 naming the parameter. DRF's own lets "99999999999999999999999" through to PostgreSQL,
    which refuses it with an error page."""

    max_limit = 200
    MAX_OFFSET = 1_000_000_000

    def paginate_queryset(self, queryset, request, view=None):
        for name in (self.limit_query_param, self.offset_query_param):
            values = request.query_params.getlist(name)
            if len(values) > 1 or any(not value.isascii() or not value.isdigit() for value in values):
                raise exceptions.ValidationError({name: [_("应为一个非负整数")]})
        offset = request.query_params.get(self.offset_query_param)
        if offset is not None and (len(offset) > 10 or int(offset) > self.MAX_OFFSET):
            raise exceptions.ValidationError({self.offset_query_param: [_("应为不超过 %(max)s 的非负整数")
                                                                        % {"max": f"{self.MAX_OFFSET:,}"}]})
        return super().paginate_queryset(queryset, request, view)

    def get_limit(self, request):
        limit = request.query_params.get(self.limit_query_param)
        if limit is not None and len(limit) > 10:
            return self.max_limit  # a number longer than any limit: the maximum, as for 201
        return super().get_limit(request)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 0
            if parameter["name"] == self.offset_query_param:
                parameter["schema"]["maximum"] = self.MAX_OFFSET
        return parameters
