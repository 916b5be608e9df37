"""The one permission check of the assistance services: a Chinese refusal naming what was refused."""
from django.core.exceptions import PermissionDenied


def require(user, permission: str, what: str) -> None:
    """`permission` is an assistance codename (sign_resolution, …); `what` completes 您没有…的权限."""
    if not user.has_perm(f"assistance.{permission}"):
        raise PermissionDenied(f"您没有{what}的权限")
