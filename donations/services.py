"""Every write on the income side. Views, admin, import and API only call these."""
import calendar
import datetime as dt
import uuid
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from fundportal.audit import records_actor
from fundportal.dates import SCHEDULE, date_range_error
from fundportal.identifiers import lookup_code_new, validate_mobile_phone, validate_resident_id, validate_uscc
from fundportal.models import LedgerEntry
from fundportal.money import MONEY_MAX, money_label, to_money
from fundportal.validators import column_errors
from fundportal.services import fund_account_main, ledger_post_income, ledger_reverse

from . import selectors
from .idempotency import lock_submission, replay, request_fingerprint
from .notices import notify_receipt
from .models import (
    Campaign, Donation, Donor, FiscalBill, Pledge, PledgeInstalment, Receipt, ReceiptPrint, ReceiptSequence,
)

# No 0/O, 1/I/L: codes are read off paper and typed by hand.


def _duplicate_donor_error(existing: Donor, label: str) -> ValidationError:
    return ValidationError(
        "该%(label)s已登记为捐赠方“%(name)s”（编号 %(id)s），请直接选用，不要重复登记",
        code="duplicate_donor", params={"label": label, "name": existing.name, "id": existing.pk},
    )


def donor_validate(*, kind: str, name: str, org_kind: str = "", uscc: str = "", resident_id: str = "",
                   **_other_fields) -> dict:
    """Normalise and check a new donor's identity. Returns the cleaned name and codes.

    The same credit code or ID number twice is refused, naming the donor registered first
    (error code "duplicate_donor", params carry its id so a form can link to it).
    """
    errors = {}
    name = " ".join((name or "").split())
    if not name:
        errors["name"] = "请填写捐赠方名称或姓名"
    if kind == Donor.Kind.ORGANISATION:
        resident_id = ""
        try:
            uscc = validate_uscc(uscc)
        except ValidationError as exc:
            errors["uscc"] = exc
        if not org_kind:
            errors["org_kind"] = "请选择单位类别"
    elif kind == Donor.Kind.INDIVIDUAL:
        uscc, org_kind = "", ""
        if resident_id:
            try:
                resident_id = validate_resident_id(resident_id)
            except ValidationError as exc:
                errors["resident_id"] = exc
    else:
        errors["kind"] = "捐赠方类型无效"
    if uscc and "uscc" not in errors and (existing := Donor.objects.filter(uscc=uscc).first()):
        errors["uscc"] = _duplicate_donor_error(existing, "统一社会信用代码")
    if resident_id and "resident_id" not in errors and (
            existing := Donor.objects.filter(resident_id=resident_id).first()):
        errors["resident_id"] = _duplicate_donor_error(existing, "身份证号码")
    if errors:
        raise ValidationError(errors)
    return {"name": name, "org_kind": org_kind, "uscc": uscc, "resident_id": resident_id}


@records_actor
def donor_create(*, kind: str, name: str, acting_user, org_kind: str = "", uscc: str = "",
                 resident_id: str = "", contact_person: str = "", phone: str = "", address: str = "",
                 note: str = "", notice_consent: bool = False) -> Donor:
    """Register a donor; the same credit code or ID number twice is refused, naming the first."""
    with transaction.atomic():
        identity = donor_validate(kind=kind, name=name, org_kind=org_kind, uscc=uscc, resident_id=resident_id)
        phone = donor_phone_checked(phone=phone, notice_consent=notice_consent)
        donor = Donor(kind=kind, contact_person=contact_person, phone=phone, address=address, note=note,
                      notice_consent=bool(notice_consent), created_by=acting_user, **identity)
        donor.full_clean(validate_unique=False, validate_constraints=False)
        try:
            with transaction.atomic():
                donor.save()
        except IntegrityError as exc:  # a concurrent registration of the same code won the race
            raise ValidationError("该捐赠方刚刚已被他人登记，请刷新后选用") from exc
    return donor


@records_actor
def donor_update(*, donor: Donor, acting_user, **fields) -> Donor:
    """Change a donor's contact details or name. Codes are identity: re-register instead."""
    allowed = {"name", "org_kind", "contact_person", "phone", "address", "note", "notice_consent"}
    if unknown := set(fields) - allowed:
        raise ValidationError("不能修改字段：%(f)s（证件号码登记后不可更改）", params={"f": ", ".join(sorted(unknown))})
    with transaction.atomic():
        donor = Donor.objects.select_for_update().get(pk=donor.pk)
        for key, value in fields.items():
            setattr(donor, key, value)
        if (donor.kind == Donor.Kind.ORGANISATION) != bool(donor.org_kind):
            raise ValidationError({"org_kind": "单位须选择单位类别；个人不选单位类别"})
        donor.phone = donor_phone_checked(phone=donor.phone, notice_consent=donor.notice_consent)
        donor.full_clean(validate_unique=False, validate_constraints=False)
        donor._change_reason = "修改：" + "、".join(str(Donor._meta.get_field(f).verbose_name) for f in sorted(fields))
        donor.save()
    return donor


def donor_phone_checked(*, phone: str, notice_consent: bool) -> str:
    """A donor who consents to SMS gives a mobile (stored as its 11 digits); any other contact
    phone is kept as typed."""
    if not notice_consent:
        return (phone or "").strip()
    try:
        return validate_mobile_phone(phone)
    except ValidationError as exc:
        raise ValidationError({"phone": "同意接收短信通知的，联系电话须为手机号码：" + exc.messages[0]}) from exc


def pledge_schedule_even(*, total: Decimal, count: int, first_due: dt.date, months_between: int = 12
                         ) -> list[tuple[dt.date, Decimal]]:
    """Split a pledge into equal instalments; the last one carries the rounding remainder."""
    total = to_money(total)
    if count < 1:
        raise ValidationError("分期数至少为 1")
    share = to_money(total / count)
    schedule = []
    for index in range(count):
        month = first_due.month - 1 + index * months_between
        year, month = first_due.year + month // 12, month % 12 + 1
        # 31 January + 1 month is the last day of February, not an error.
        due = dt.date(year, month, min(first_due.day, calendar.monthrange(year, month)[1]))
        amount = share if index < count - 1 else total - share * (count - 1)
        schedule.append((due, amount))
    return schedule


@records_actor
@transaction.atomic
def pledge_create(*, donor: Donor, total: Decimal, signed_on: dt.date,
                  instalments: list[tuple[dt.date, Decimal]], acting_user,
                  campaign: Campaign | None = None, note: str = "") -> Pledge:
    """Record a pledge and its schedule. Instalments must add up to the total exactly."""
    total = to_money(total)
    if errors := column_errors(Pledge, total=total, signed_on=signed_on, note=note):
        raise ValidationError(errors)
    if total <= 0:
        raise ValidationError({"total": "认捐总额必须大于零"})
    if not instalments:
        raise ValidationError("请填写分期计划")
    if problems := [error for due_on, _amount in instalments
                    if (error := date_range_error(due_on, SCHEDULE, "分期应到日期"))]:
        raise ValidationError(problems[:3])
    amounts = [to_money(amount) for _due, amount in instalments]
    if any(amount <= 0 for amount in amounts):
        raise ValidationError("每期金额必须大于零")
    due_dates = [due_on for due_on, _amount in instalments]
    if due_dates != sorted(due_dates) or due_dates[0] < signed_on:
        raise ValidationError("分期应到日期须按先后排列，且不早于签订日期")
    if sum(amounts) != total:
        raise ValidationError("分期金额合计 %(sum)s，与认捐总额 %(total)s 不一致",
                              params={"sum": money_label(sum(amounts)), "total": money_label(total)})
    pledge = Pledge.objects.create(donor=donor, total=total, signed_on=signed_on, campaign=campaign,
                                   note=note, created_by=acting_user)
    for sequence, ((due_on, _amount), amount) in enumerate(zip(instalments, amounts), start=1):
        PledgeInstalment.objects.create(pledge=pledge, sequence=sequence, due_on=due_on, amount=amount)
    return pledge


@records_actor
@transaction.atomic
def pledge_update_note(*, pledge: Pledge, note: str, acting_user) -> Pledge:
    """Only the note of a pledge changes after signing; amounts and schedule are the agreement."""
    pledge = Pledge.objects.select_for_update().get(pk=pledge.pk)
    pledge.note = note
    pledge.save(update_fields=["note"])
    return pledge


def donation_validate(*, amount: Decimal, received_on: dt.date, donor: Donor | None, is_anonymous: bool,
                      bank_reference: str, channel: str, giver_count: int,
                      instalment: PledgeInstalment | None, campaign: Campaign | None = None, note: str = "") -> None:
    """The rules a donation must pass before it is recorded (also run by the admin form)."""
    amount = to_money(amount)
    bank_reference = (bank_reference or "").strip()
    # The columns' own limits (lengths, digits, the count's range, the date's range): nothing the
    # database would refuse goes further. The more particular rules below replace a field's message.
    errors = column_errors(Donation, amount=amount, received_on=received_on, bank_reference=bank_reference,
                           giver_count=giver_count, note=note)
    if amount <= 0:
        errors["amount"] = "捐赠金额必须大于零"
    elif amount > (room := MONEY_MAX - fund_account_main().balance):
        errors["amount"] = f"金额过大：基金余额最多还能记入 {money_label(room)}，请核对金额"
    if received_on > timezone.localdate():
        errors["received_on"] = "到账日期不能晚于今天：收据只能在款项到账后开具"
    if donor is None and not is_anonymous:
        errors["donor"] = "请选择捐赠方；不知道捐赠方时请勾选“匿名”"
    if channel not in Donation.Channel.values:
        errors["channel"] = "请选择捐赠方式"
    if giver_count < 1:
        errors["giver_count"] = "捐赠人数至少为 1"
    if channel in (Donation.Channel.BANK_TRANSFER, Donation.Channel.ONLINE) and not bank_reference:
        errors["bank_reference"] = "银行转账和网络支付请填写流水号（交易单号），便于对账"
    if bank_reference and "bank_reference" not in errors and (
            existing := Donation.objects.filter(bank_reference=bank_reference).first()):
        errors["bank_reference"] = f"流水号 {bank_reference} 已登记过（{existing}），同一笔款项不能重复登记"
    if instalment is not None and (donor is None or instalment.pledge.donor_id != donor.pk):
        errors["instalment"] = "所选认捐分期不属于该捐赠方"
    elif instalment is not None and amount > (outstanding := _instalment_outstanding(instalment)):
        errors["instalment"] = (f"第{instalment.sequence}期尚未到账 {money_label(outstanding)}，本笔 {money_label(amount)}超出；"
                                "超出部分请另行登记为普通捐赠")
    if errors:
        raise ValidationError(errors)


def _instalment_outstanding(instalment: PledgeInstalment) -> Decimal:
    received = instalment.donations.filter(status=Donation.Status.RECEIVED).aggregate(total=Sum("amount"))["total"]
    return instalment.amount - (received or Decimal("0"))


@records_actor
@transaction.atomic
def donation_record(*, amount: Decimal, received_on: dt.date, channel: str, acting_user,
                    donor: Donor | None = None, is_anonymous: bool = False, bank_reference: str = "",
                    campaign: Campaign | None = None, giver_count: int = 1,
                    instalment: PledgeInstalment | None = None, note: str = "",
                    idempotency_key: uuid.UUID | None = None) -> Donation:
    """Money has arrived: record it, post the income, and issue its receipt, all or nothing.

    The same `idempotency_key` twice from the same user with the same fields (a double click, a
    retried request) returns the first donation, marked `replayed`; with other fields it is an
    IdempotencyConflict. Keys are per user: another user's key records nothing of theirs.
    """
    amount = to_money(amount)
    bank_reference = (bank_reference or "").strip()
    fingerprint = request_fingerprint(
        amount=amount, received_on=received_on, channel=channel, donor=donor, is_anonymous=is_anonymous,
        bank_reference=bank_reference, campaign=campaign, giver_count=giver_count, instalment=instalment,
        note=note)
    if idempotency_key is not None:
        lock_submission(acting_user=acting_user, idempotency_key=idempotency_key)
        if existing := selectors.donation_for_submission(user=acting_user, key=idempotency_key):
            return replay(existing=existing, fingerprint=fingerprint)
    if instalment is not None:
        # Two clerks matching money to the same instalment queue here, so it is never overpaid.
        instalment = PledgeInstalment.objects.select_for_update().get(pk=instalment.pk)
    donation_validate(amount=amount, received_on=received_on, donor=donor, is_anonymous=is_anonymous,
                      bank_reference=bank_reference, channel=channel, giver_count=giver_count,
                      instalment=instalment, note=note)
    try:
        with transaction.atomic():
            donation = Donation.objects.create(
                donor=donor, is_anonymous=is_anonymous or donor is None, amount=amount, received_on=received_on,
                channel=channel, bank_reference=bank_reference, campaign=campaign, giver_count=giver_count,
                instalment=instalment, note=note, recorded_by=acting_user, idempotency_key=idempotency_key,
                request_fingerprint=fingerprint if idempotency_key is not None else "",
            )
    except IntegrityError as exc:
        # A concurrent submission won the race on the same bank reference.
        raise ValidationError({"bank_reference": f"银行流水号 {bank_reference} 刚刚已被他人登记，同一笔款项不能重复登记"}) from exc
    ledger_post_income(amount=amount, source=donation, memo=f"捐赠收入：{donation.donor_display}",
                       acting_user=acting_user, booked_on=received_on)
    receipt_issue(donation=donation, acting_user=acting_user)
    donation.replayed = False
    return donation


def _next_receipt_number(year: int) -> int:
    # Create the year's counter if missing (ignore_conflicts: two first receipts of a year may race),
    # then lock it: the lock makes concurrent issuers queue, and a rolled-back issue releases its
    # number with the transaction, so numbers stay gap-free.
    ReceiptSequence.objects.bulk_create([ReceiptSequence(year=year)], ignore_conflicts=True)
    sequence = ReceiptSequence.objects.select_for_update().get(year=year)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return sequence.last_number


@records_actor
@transaction.atomic
def receipt_issue(*, donation: Donation, acting_user, replaces: Receipt | None = None) -> Receipt:
    """Issue the receipt for a received donation. Numbers are per year of issue, gap-free."""
    donation = Donation.objects.select_for_update(of=("self",)).select_related("donor").get(pk=donation.pk)
    if donation.status != Donation.Status.RECEIVED:
        raise ValidationError("捐赠已撤销，不能开具收据")
    if donation.receipts.filter(status=Receipt.Status.VALID).exists():
        raise ValidationError("该捐赠已有有效收据，如需更正请先作废")
    year = timezone.localdate().year
    sequence = _next_receipt_number(year)
    receipt = Receipt.objects.create(
        number=f"{year}-{sequence:06d}", year=year, sequence=sequence, donation=donation,
        donor_name=donation.donor_display,
        is_organisation=bool(donation.donor and donation.donor.kind == Donor.Kind.ORGANISATION),
        amount=donation.amount, received_on=donation.received_on,
        verification_code=lookup_code_new(),
        replaces=replaces, issued_by=acting_user,
    )
    notify_receipt(receipt, donation.donor)  # with the donor's consent, once this transaction commits
    return receipt


def _receipt_void_locked(*, receipt: Receipt, reason: str, acting_user) -> Receipt:
    receipt = Receipt.objects.select_for_update().get(pk=receipt.pk)
    if receipt.status != Receipt.Status.VALID:
        raise ValidationError("收据 %(n)s 已经作废", params={"n": receipt.number})
    receipt.status = Receipt.Status.VOIDED
    receipt.void_reason = reason
    receipt.voided_at = timezone.now()
    receipt.voided_by = acting_user
    receipt._change_reason = f"作废：{reason}"
    receipt.save(update_fields=["status", "void_reason", "voided_at", "voided_by"])
    return receipt


@records_actor
@transaction.atomic
def receipt_void_and_reissue(*, receipt: Receipt, reason: str, acting_user) -> Receipt:
    """Correct a receipt: void it with a reason and issue a replacement that references it.

    The replacement takes the donor's current name, so fix the donor record first.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "作废收据必须填写原因"})
    if not acting_user.has_perm("donations.void_receipt"):
        raise PermissionError("您没有作废收据的权限")
    # Lock order everywhere: donation, then its receipts (donation_cancel does the same).
    Donation.objects.select_for_update().get(pk=receipt.donation_id)
    voided = _receipt_void_locked(receipt=receipt, reason=reason, acting_user=acting_user)
    return receipt_issue(donation=voided.donation, acting_user=acting_user, replaces=voided)


@records_actor
@transaction.atomic
def donation_cancel(*, donation: Donation, reason: str, acting_user) -> Donation:
    """A donation recorded by mistake: void its receipt and reverse its income. Nothing is deleted."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "撤销捐赠必须填写原因"})
    if not acting_user.has_perm("donations.void_receipt"):
        raise PermissionError("您没有撤销捐赠的权限")
    donation = Donation.objects.select_for_update().get(pk=donation.pk)
    if donation.status != Donation.Status.RECEIVED:
        raise ValidationError("该捐赠已经撤销")
    for receipt in donation.receipts.filter(status=Receipt.Status.VALID):
        _receipt_void_locked(receipt=receipt, reason=f"捐赠撤销：{reason}", acting_user=acting_user)
    income = LedgerEntry.objects.get(kind=LedgerEntry.Kind.INCOME, source_type__app_label="donations",
                                     source_type__model="donation", source_id=str(donation.pk))
    ledger_reverse(entry=income, reason=reason, acting_user=acting_user)
    donation.status = Donation.Status.CANCELLED
    donation.cancel_reason = reason
    donation._change_reason = f"撤销：{reason}"
    donation.save(update_fields=["status", "cancel_reason"])
    return donation


@records_actor
@transaction.atomic
def fiscal_bill_record(*, receipt: Receipt, bill_number: str, check_code: str, acting_user) -> FiscalBill:
    """Note the finance bureau's bill number on our receipt once staff have it."""
    bill_number, check_code = (bill_number or "").strip(), (check_code or "").strip()
    if not bill_number or not check_code:
        raise ValidationError("请填写票据号码和校验码")
    receipt = Receipt.objects.select_for_update().get(pk=receipt.pk)
    if receipt.status != Receipt.Status.VALID:
        raise ValidationError("已作废的收据不能登记票据")
    if FiscalBill.objects.filter(receipt=receipt).exists():
        raise ValidationError("该收据已登记财政票据")
    if existing := FiscalBill.objects.filter(bill_number=bill_number).first():
        raise ValidationError("票据号码 %(b)s 已登记在收据 %(r)s 上", params={"b": bill_number, "r": existing.receipt})
    return FiscalBill.objects.create(receipt=receipt, bill_number=bill_number, check_code=check_code,
                                     entered_by=acting_user)


@records_actor
@transaction.atomic
def receipt_print_record(*, receipt: Receipt, acting_user=None) -> bool:
    """Log a rendering of the receipt and say whether it is a copy: every one after the first is."""
    receipt = Receipt.objects.select_for_update().get(pk=receipt.pk)
    is_copy = receipt.prints.exists()
    ReceiptPrint.objects.create(receipt=receipt, printed_by=acting_user, is_copy=is_copy)
    return is_copy
