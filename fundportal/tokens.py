"""Staff API tokens (django-rest-knox): only a digest of each key is stored.

A key is shown once, to whoever issued it, in the answer to the request that issued it: never
again, never in a list, a message cookie or a log. An administrator issues tokens for anyone;
every staff user may issue (and revoke) their own. Each issue and revocation is written to the
user's admin history.
"""
import datetime as dt

from django.contrib.admin.models import ADDITION, DELETION, LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from knox.settings import knox_settings

from .models import ApiToken

MAX_TTL = dt.timedelta(days=366)


def _may_manage(*, acting_user, user, codename: str) -> bool:
    own = acting_user.pk == user.pk and acting_user.is_active and acting_user.is_staff
    return own or acting_user.has_perm(f"fundportal.{codename}")


def _log(*, acting_user, user, action_flag: int, message: str) -> None:
    # Against the user, whose admin history then tells when their tokens were issued and revoked.
    LogEntry.objects.log_actions(user_id=acting_user.pk, queryset=[user], action_flag=action_flag,
                                 change_message=message, single_object=True)


@transaction.atomic
def api_token_issue(*, user, acting_user, ttl: dt.timedelta | None = None) -> tuple[ApiToken, str]:
    """A new token for `user`; returns the row and the key, which exists nowhere else."""
    if not _may_manage(acting_user=acting_user, user=user, codename="add_apitoken"):
        raise PermissionDenied(_("只有系统管理员可以为他人签发 API 令牌"))
    if not user.is_active:
        raise ValidationError(_("该用户已停用，不能签发 API 令牌"))
    ttl = ttl or knox_settings.TOKEN_TTL
    if ttl <= dt.timedelta(0) or ttl > MAX_TTL:
        raise ValidationError(_("API 令牌的有效期须在一天到一年之间"))
    token, key = ApiToken.objects.create(user=user, expiry=ttl)
    expiry = timezone.localtime(token.expiry).strftime("%Y-%m-%d")
    _log(acting_user=acting_user, user=user, action_flag=ADDITION,
         message=_("签发 API 令牌，有效期至 %(expiry)s") % {"expiry": expiry})
    return token, key


@transaction.atomic
def api_token_revoke(*, token: ApiToken, acting_user) -> None:
    if not _may_manage(acting_user=acting_user, user=token.user, codename="delete_apitoken"):
        raise PermissionDenied(_("只有系统管理员可以撤销他人的 API 令牌"))
    user = token.user
    token.delete()
    _log(acting_user=acting_user, user=user, action_flag=DELETION, message=_("撤销 API 令牌"))


def api_tokens_of(user) -> QuerySet:
    """The user's tokens still in force, newest first."""
    return ApiToken.objects.filter(user=user).exclude(expiry__lt=timezone.now()).order_by("-created")
