"""Who may do and see what on the assistance side: the services' one permission check (a Chinese
refusal naming what was refused), and the role that sees all medical data."""
from django.core.exceptions import PermissionDenied


def require(user, permission: str, what: str) -> None:
    """`permission` is an assistance codename (sign_resolution, …); `what` completes 您没有…的权限."""
    if not user.has_perm(f"assistance.{permission}"):
        raise PermissionDenied(f"您没有{what}的权限")


def sees_all_medical_data(user) -> bool:
    """The MSB (and read-only auditors): settlement records, unshared runs, every area."""
    return user.has_perm("assistance.view_settlementrecord")
