"""Whether a recipient may still be told, asked again when the SMS goes out: a notice waits in the
outbox (its task not yet run, a retry's pause, a resend by hand) and the family may opt out or the
donor withdraw consent meanwhile. The core knows no app: each app registers, from its
AppConfig.ready, how to ask for its audience — `notice_consent_register(audience, check)`, where
check(notice) is False once the recipient no longer wants notices."""
from collections.abc import Callable

from .models import Notice

Check = Callable[[Notice], bool]
CHECKS: dict[str, Check] = {}
WITHDRAWN_REPLY = "接收人已退订短信通知或撤回同意，未发送"


def notice_consent_register(audience: str, check: Check) -> None:
    CHECKS[audience] = check


def still_wanted(notice: Notice) -> bool:
    check = CHECKS.get(notice.audience)
    return check is None or check(notice)
