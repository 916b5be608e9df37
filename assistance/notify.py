"""The families' SMS notices: their templates and the one way every stage tells a family something.

At the bottom of the stages (pyproject's import layers), so that each stage that moves a case
(applications, review, council, publicity, payouts, appeals) tells the family in its own
transaction: the outbox row is written with the move and sent only once it commits
(fundportal.notices.services.notice_enqueue), so a move rolled back tells nobody.

A family is told only with the applicant's consent (Application.notice_consent, recorded by the
clerk) and until it opts out (notice_opted_out_at, from its progress page), on a mobile number
(notice_phone, else the contact phone). One row per event and family: the event key carries a
version where an event can truly happen twice to one application (a second determination after a
review, an amending resolution, a re-issued payment).

The texts carry the masked name, the application number, amounts and dates: never an ID number,
a bank account, a diagnosis or the look-up code (whoever reads the phone should not get the key to
the case page: the code stays on the paper slip)."""
import datetime as dt

from django.conf import settings
from django.utils import timezone

from fundportal.identifiers import is_mobile_phone, normalize_mobile_phone
from fundportal.masking import mask_name
from fundportal.money import format_money
from fundportal.notices.models import Notice
from fundportal.notices.services import notice_enqueue
from fundportal.notices.templates import template_add

SIGNATURE = "【瑞安慈善医疗救助】"

RECEIVED = template_add(
    "family_received",
    SIGNATURE + "{name}，您的救助申请已受理，申请编号{number}。凭受理回执上的查询码可在{site}/progress/ 查询办理进度。")
ELIGIBLE = template_add(
    "family_eligible",
    SIGNATURE + "{name}，您的申请{number}经民政部门认定符合救助条件，救助金额将由基金理事会审议确定。")
NOT_ELIGIBLE = template_add(
    "family_not_eligible",
    SIGNATURE + "{name}，您的申请{number}经民政部门认定不符合救助条件。如有异议，可在{deadline}前"
                "到红十字会窗口或在{site}/progress/ 申请复核。")
APPROVED = template_add(
    "family_approved",
    SIGNATURE + "{name}，您的申请{number}经基金理事会批准，救助金{amount}元，名单公示期满后发放。")
PUBLICITY = template_add(
    "family_publicity",
    SIGNATURE + "{name}，救助名单（含申请{number}）于{starts}至{ends}公示，公示期满无异议后发放救助金。")
PAID = template_add(
    "family_paid",
    SIGNATURE + "{name}，申请{number}的救助金{amount}元已转入您登记的银行账户，请注意查收。")
PAYMENT_FAILED = template_add(
    "family_payment_failed",
    SIGNATURE + "{name}，申请{number}的救助金{amount}元未能转入登记的账户。请申请人携带本人身份证和"
                "银行卡（存折）到红十字会窗口更正收款账户，更正后重新发放。")
APPEAL_DECIDED = template_add(
    "family_appeal_decided",
    SIGNATURE + "{name}，您对申请{number}提出的复核已办结：{outcome}。书面决定另行送达，也可在{site}/progress/ 查询。")


def family_phone(application) -> str:
    """The mobile the family's notices go to ("" when neither number given is a mobile)."""
    phone = application.notice_phone or application.phone
    return normalize_mobile_phone(phone) if is_mobile_phone(phone) else ""


def family_may_be_told(application) -> bool:
    return bool(application.notice_consent and application.notice_opted_out_at is None and family_phone(application))


def family_notify(application, *, event: str, template: str, params: dict, version: str | int | None = None
                  ) -> Notice | None:
    """Tell the applicant's family of `event`, once (None: no consent, opted out, or no mobile).
    `params` are the template's own; the masked name and the application number are added here."""
    if not family_may_be_told(application):
        return None
    key = f"application.{event}:{application.pk}" + (f":{version}" if version is not None else "")
    return notice_enqueue(
        event_key=key, recipient_key=f"family:{application.pk}", audience=Notice.Audience.FAMILY,
        phone=family_phone(application), template=template, subject=application,
        params={"name": mask_name(application.person.name), "number": application.number, **params})


def money(amount) -> str:
    return format_money(amount)


def day(value: dt.date | dt.datetime) -> str:
    """2023年9月5日: how a date reads in a text message."""
    if isinstance(value, dt.datetime):
        value = timezone.localdate(value)
    return f"{value.year}年{value.month}月{value.day}日"


# --------------------------------------------------------------------------- each stage's events

def notify_received(application) -> None:
    family_notify(application, event="received", template=RECEIVED.code, params={})


def notify_eligibility(application, *, eligible: bool, decided_at: dt.datetime) -> None:
    """Versioned by the decision's moment: a review (复核) may send the case back for a second one."""
    version = f"{decided_at:%Y%m%d%H%M%S%f}"
    if eligible:
        family_notify(application, event="eligible", template=ELIGIBLE.code, params={}, version=version)
        return
    # As assistance.appeals.selectors.appeal_window_ends counts it: calendar days from the decision.
    deadline = timezone.localdate(decided_at) + dt.timedelta(days=settings.APPEAL_WINDOW_DAYS)
    family_notify(application, event="not_eligible", template=NOT_ELIGIBLE.code, version=version,
                  params={"deadline": day(deadline)})


def notify_approved(application, *, amount, resolution_id: int) -> None:
    family_notify(application, event="approved", template=APPROVED.code, params={"amount": money(amount)},
                  version=f"r{resolution_id}")


def notify_publicity(application, *, starts_on: dt.date, ends_on: dt.date, publicity_id: int) -> None:
    family_notify(application, event="publicity", template=PUBLICITY.code, version=f"p{publicity_id}",
                  params={"starts": day(starts_on), "ends": day(ends_on)})


def notify_paid(application, *, amount, payout_id: int) -> None:
    family_notify(application, event="paid", template=PAID.code, params={"amount": money(amount)},
                  version=f"z{payout_id}")


def notify_payment_failed(application, *, amount, payout_id: int, returned: bool = False) -> None:
    """Failed, or paid and then returned by the bank: either way the family brings a corrected account."""
    family_notify(application, event="payment_returned" if returned else "payment_failed",
                  template=PAYMENT_FAILED.code, params={"amount": money(amount)}, version=f"z{payout_id}")


def notify_appeal_decided(application, *, reopened: bool, appeal_id: int) -> None:
    """The outcome in words of our own (Appeal.State's labels), never the reasons staff wrote:
    they may name household members or incomes."""
    outcome = "撤销原决定，重新办理" if reopened else "维持原决定"
    family_notify(application, event="appeal_decided", template=APPEAL_DECIDED.code, version=f"a{appeal_id}",
                  params={"outcome": outcome})
