"""The donors' SMS notices: their templates, the one way the income side tells a donor something,
and the daily pledge reminders (donations/tasks.py, on the beat schedule of donations/defaults.py).

A donor is told only with their consent (Donor.notice_consent, kept by the Charity Federation:
clearing it is how a donor opts out) on a mobile contact phone. One row per event and donor:
a receipt is told once (a re-issued receipt is a new receipt), an instalment's "due soon" and
"overdue" once each, however often the daily job runs or is retried."""
import datetime as dt

from django.conf import settings
from django.db.models import DecimalField, F, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from fundportal.identifiers import is_mobile_phone, normalize_mobile_phone
from fundportal.masking import mask_name
from fundportal.money import format_money
from fundportal.notices.models import Notice
from fundportal.notices.services import notice_enqueue
from fundportal.notices.templates import template_add

from .models import Donation, Donor, PledgeInstalment, Receipt

SIGNATURE = "【瑞安市慈善总会】"

RECEIPT = template_add(
    "donor_receipt",
    SIGNATURE + "{name}，您的捐赠{amount}元已到账，感谢您的善举！捐赠收据{number}，验证码{code}，可在{site}/receipts/verify/ 核验和下载。")
INSTALMENT_DUE = template_add(
    "donor_instalment_due",
    SIGNATURE + "{name}，您的认捐第{sequence}期{amount}元将于{due}到期，感谢您对慈善医疗救助的支持。")
INSTALMENT_OVERDUE = template_add(
    "donor_instalment_overdue",
    SIGNATURE + "{name}，您的认捐第{sequence}期应于{due}到账，尚有{outstanding}元未收到。如已汇出请忽略，"
                "如有疑问请联系市慈善总会。")


def donor_shown_name(donor: Donor) -> str:
    """An organisation's name is public; a person's is masked even in their own SMS."""
    return donor.name if donor.kind == Donor.Kind.ORGANISATION else mask_name(donor.name)


def donor_may_be_told(donor: Donor | None) -> bool:
    return bool(donor is not None and donor.notice_consent and is_mobile_phone(donor.phone))


def donor_notify(donor: Donor | None, *, event: str, subject, template: str, params: dict) -> Notice | None:
    """Tell the donor of `event` about `subject` (a receipt, an instalment), once; None without
    consent or a mobile. The masked name is added to `params` here."""
    if not donor_may_be_told(donor):
        return None
    return notice_enqueue(
        event_key=f"donor.{event}:{subject.pk}", recipient_key=f"donor:{donor.pk}", audience=Notice.Audience.DONOR,
        phone=normalize_mobile_phone(donor.phone), template=template, subject=subject,
        params={"name": donor_shown_name(donor), **params})


def notify_receipt(receipt: Receipt, donor: Donor | None) -> Notice | None:
    """The receipt's number and code and the public page where they verify it (no link in a
    parameter: see fundportal/notices/templates.py FIXED)."""
    return donor_notify(donor, event="receipt", subject=receipt, template=RECEIPT.code,
                        params={"amount": format_money(receipt.amount), "number": receipt.number,
                                "code": receipt.verification_code})


def _day(value: dt.date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def _open_instalments():
    """Instalments of consenting donors with money still outstanding (annotated `outstanding`)."""
    received = (Donation.objects.filter(instalment=OuterRef("pk"), status=Donation.Status.RECEIVED)
                .order_by().values("instalment").annotate(total=Sum("amount")).values("total"))
    money = DecimalField(max_digits=14, decimal_places=2)
    return (PledgeInstalment.objects.filter(pledge__donor__notice_consent=True)
            .annotate(received=Coalesce(Subquery(received, output_field=money), Value(0, output_field=money)))
            .filter(received__lt=F("amount"))
            .select_related("pledge__donor").order_by("due_on", "pk"))


def pledge_reminders_send(*, today: dt.date | None = None) -> dict[str, int]:
    """The daily job: "due soon" for every instalment still owed and due within
    PLEDGE_REMINDER_DAYS days, "overdue" for every one past its date. Each is told once (the
    outbox's event key), so a missed day is made up the next day and a second run sends nothing.
    Returns how many instalments of each kind have their reminder in the outbox."""
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=settings.PLEDGE_REMINDER_DAYS)
    counts = {"due": 0, "overdue": 0}
    for instalment in _open_instalments().filter(due_on__lte=horizon):
        outstanding = instalment.amount - instalment.received
        params = {"sequence": str(instalment.sequence), "due": _day(instalment.due_on)}
        if instalment.due_on >= today:
            sent = donor_notify(instalment.pledge.donor, event="instalment_due", subject=instalment,
                                template=INSTALMENT_DUE.code, params={**params, "amount": format_money(outstanding)})
            counts["due"] += sent is not None
        else:
            sent = donor_notify(instalment.pledge.donor, event="instalment_overdue", subject=instalment,
                                template=INSTALMENT_OVERDUE.code,
                                params={**params, "outstanding": format_money(outstanding)})
            counts["overdue"] += sent is not None
    return counts
