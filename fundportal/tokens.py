"""Staff API tokens (django-rest-knox): only a digest of each key is stored.

A token is issued only by its owner, at "我的 API 令牌" (/admin/api-tokens/): a token acts with
its owner's permissions and every action through it is recorded under the owner's name, so a
token issued by someone else would let them act, unseen, as the owner. An administrator may
revoke anyone's token (a lost laptop, a person leaving), never issue one. The key is shown once,
to the owner, in the answer to the request that issued it: never again, never in a list, a
message cookie or a log. Each issue and revocation is in the audit trail (the token's history:
whose, by whom, when, valid until when; never the key, its prefix or its digest).
"""
import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from knox.settings import knox_settings
from simple_history.utils import update_change_reason

from .audit import records_actor
from .models import ApiToken

MAX_TTL = dt.timedelta(days=366)


def _may_revoke(*, acting_user, user) -> bool:
    own = acting_user.pk == user.pk and acting_user.is_active and acting_user.is_staff
    return own or acting_user.has_perm("fundportal.delete_apitoken")


@records_actor
@transaction.atomic
def api_token_issue(*, user, acting_user, ttl: dt.timedelta | None = None) -> tuple[ApiToken, str]:
    """A new token for `user`, issued by `user` alone; returns the row and the key, which exists
    nowhere else."""
    if acting_user.pk != user.pk:
        raise PermissionDenied(_("API 令牌只能由本人签发（“我的 API 令牌”）；管理员可以撤销他人的令牌，但不能代为签发"))
    if not user.is_active:
        raise ValidationError(_("该用户已停用，不能签发 API 令牌"))
    if not user.is_staff:
        raise PermissionDenied(_("只有工作人员可以签发 API 令牌"))
    ttl = ttl or knox_settings.TOKEN_TTL
    if ttl <= dt.timedelta(0) or ttl > MAX_TTL:
        raise ValidationError(_("API 令牌的有效期须在一天到一年之间"))
    token, key = ApiToken.objects.create(user=user, expiry=ttl)
    # knox's create() saved the row already: the issue's history row gets its reason now.
    update_change_reason(token, _("签发 API 令牌，有效期至 %(expiry)s") % {
        "expiry": timezone.localtime(token.expiry).strftime("%Y-%m-%d")})
    return token, key


@records_actor
@transaction.atomic
def api_token_revoke(*, token: ApiToken, acting_user) -> None:
    if not _may_revoke(acting_user=acting_user, user=token.user):
        raise PermissionDenied(_("只有系统管理员可以撤销他人的 API 令牌"))
    token._change_reason = _("撤销 API 令牌") if acting_user.pk == token.user_id else _("管理员撤销 API 令牌")
    token.delete()


def api_tokens_of(user) -> QuerySet:
    """The user's tokens still in force, newest first."""
    return ApiToken.objects.filter(user=user).exclude(expiry__lt=timezone.now()).order_by("-created")
