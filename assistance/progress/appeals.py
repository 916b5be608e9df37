"""The family's 复核 through the appeals stage (assistance/appeals/), while that stage's services
are still being written: until `appeal_refusal` and `appeal_submit_online` exist there, the page
offers no form and says where to ask instead. Remove this guard once they are merged."""
import datetime as dt

from django.utils.translation import gettext as _

try:
    from ..appeals.selectors import appeal_refusal as _appeal_refusal
    from ..appeals.services import appeal_submit_online
except ImportError:  # the appeals stage has no services yet
    _appeal_refusal = appeal_submit_online = None

ONLINE = _appeal_refusal is not None and appeal_submit_online is not None


def appeal_refusal(application, *, day: dt.date | None = None) -> str | None:
    """Why the family cannot ask for a review on this page now (Chinese), or None if it can."""
    if not ONLINE:
        return _("网上申请复核暂未开通，如需申请复核，请到红十字会窗口提出。")
    return _appeal_refusal(application, day=day)


__all__ = ["ONLINE", "appeal_refusal", "appeal_submit_online"]
