"""Imported by settings (DEFAULT_PERMISSION_CLASSES, DEFAULT_AUTHENTICATION_CLASSES): must not
import rest_framework.views."""
import re

from django.utils.translation import gettext_lazy as _
from knox import auth as knox_auth
from rest_framework import exceptions
from rest_framework.permissions import DjangoModelPermissions

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
            raise exceptions.AuthenticationFailed(_("认证令牌无效。"))  # as knox answers a wrong key
        return super().authenticate_credentials(token)
