"""The outbox as the tests read it: the rows of one case, by event."""
from django.contrib.contenttypes.models import ContentType

from fundportal.notices.models import Notice


def rows(obj) -> list[Notice]:
    return list(Notice.objects.filter(subject_type=ContentType.objects.get_for_model(obj), subject_id=obj.pk)
                .order_by("id"))


def events(obj) -> list[str]:
    """The event part of each row's key ("received", "eligible", …), oldest first."""
    return [notice.event_key.split(":")[0].split(".", 1)[1] for notice in rows(obj)]


def consenting(application, *, phone: str = "", opted_out: bool = False):
    """The family consents (as the clerk's form records it), optionally to another phone, or has since opted out."""
    from django.utils import timezone

    application.notice_consent, application.notice_phone = True, phone
    application.notice_opted_out_at = timezone.now() if opted_out else None
    application.save(update_fields=["notice_consent", "notice_phone", "notice_opted_out_at"])
    return application
