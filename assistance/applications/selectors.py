"""The applications' reads, always scoped to the user who asks: applications and their scans."""
from django.db.models import QuerySet
from django.utils import timezone

from fundportal.masking import mask_phone

from ..access import sees_all_medical_data
from .models import Application, Document

# What the council's secretary costs and decides: applications ready for costing or decided.
COUNCIL_STATES = [Application.State.READY, Application.State.APPROVED, Application.State.REJECTED,
                  Application.State.PAID]


def applications_for_user(*, user) -> QuerySet[Application]:
    """Clerks: the applications they entered. Civil-affairs officers: those of their area. The
    council's secretary: those ready for costing or decided. The MSB and auditors: all. Everyone
    else: none."""
    applications = Application.objects.select_related("person", "region", "review_case")
    if sees_all_medical_data(user):
        return applications
    if user.has_perm("assistance.add_application"):
        return applications.filter(entered_by=user)
    if user.has_perm("assistance.view_reviewcase") and user.region is not None:
        return applications.filter(region__path__startswith=user.region.path)
    if user.has_perm("assistance.add_resolution"):
        return applications.filter(state__in=COUNCIL_STATES)
    return applications.none()


def documents_for_user(*, user) -> QuerySet[Document]:
    """Scans the user may open: of applications they may see, and only with the permission to."""
    if not user.has_perm("assistance.view_document"):
        return Document.objects.none()
    return Document.objects.filter(application__in=applications_for_user(user=user).values("pk"))


def notice_settings_text(application: Application) -> str:
    """The family's SMS settings as staff read them: consent, the number (masked), an opt-out."""
    if not application.notice_consent:
        return "未同意接收短信通知"
    phone = mask_phone(application.notice_phone or application.phone)
    if application.notice_opted_out_at is not None:
        return f"已退订（{timezone.localtime(application.notice_opted_out_at):%Y-%m-%d %H:%M}，原发往 {phone}）"
    return f"同意接收，发往 {phone}"
