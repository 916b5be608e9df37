"""Applications entered by Red Cross clerks: prefill, submit, documents, and the link to the review.

application_submit writes the applicant (registry), the application with its household, extra
costs and documents, and either joins the applicant's review case or — when civil affairs has
already found them eligible that year — makes the application ready for costing. All in one
transaction, under a lock on the person, so two clerks cannot open two applications for one
person and year (a partial unique constraint backs this up).
"""
import hashlib
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from simple_history.utils import bulk_create_with_history

from fundportal.audit import records_actor
from fundportal.identifiers import is_mobile_phone, lookup_code_new, validate_mobile_phone, validate_resident_id
from fundportal.models import Region
from fundportal.money import to_money

from ..access import require
from ..intake.models import InsuredPerson, SettlementRecord, WarningTarget
from ..intake.services import insured_person_get_or_create
from ..outreach.services import outreach_close_for_application
from ..review.household import household_rows_checked
from ..review.models import ReviewCase
from ..review.services import review_case_open_for_application
from ..notify import notify_received
from .models import Application, ApplicationMember, ApplicationSequence, Document, DocumentAccess, ExtraCost
from .moves import application_create

MAX_DOCUMENT_BYTES = 10 << 20
# What a file is, by its first bytes: its name says nothing (a renamed .exe is still an .exe).
SIGNATURES = [(b"%PDF-", "application/pdf"), (b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png")]


@dataclass
class Prefill:
    """What the registry and the MSB's data already say about an applicant for a year."""

    resident_id: str
    year: int
    person: InsuredPerson | None = None
    target: WarningTarget | None = None
    open_application: Application | None = None
    review_case: ReviewCase | None = None
    totals: dict = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.person.name if self.person else ""

    @property
    def region(self) -> Region | None:
        return self.person.region if self.person else None


def application_prefill(*, resident_id: str, year: int) -> Prefill:
    """Look the applicant up by ID number (validated, normalised)."""
    resident_id = validate_resident_id(resident_id)
    prefill = Prefill(resident_id=resident_id, year=year)
    prefill.person = InsuredPerson.objects.select_related("region").filter(resident_id=resident_id).first()
    if prefill.person is None:
        return prefill
    person = prefill.person
    prefill.target = (WarningTarget.objects.filter(person=person, run__year=year, run__shared_at__isnull=False)
                      .order_by("-run_id").first())
    prefill.open_application = (Application.objects.filter(person=person, year=year)
                                .exclude(state__in=Application.CLOSED_STATES).first())
    prefill.review_case = ReviewCase.objects.filter(person=person, year=year).first()
    prefill.totals = _insured_totals(person, year)
    return prefill


def _insured_totals(person: InsuredPerson, year: int) -> dict:
    sums = SettlementRecord.objects.filter(person=person, year=year).aggregate(
        total=Sum("total_cost"), basic=Sum("fund_basic"), critical=Sum("fund_critical"),
        assistance=Sum("fund_assistance"), oop=Sum("out_of_pocket"))
    # Quantised here: SQLite's Sum() returns 256680.720000000, and pages would print it so.
    total = {key: to_money(value or 0) for key, value in sums.items()}
    return {"total_cost": total["total"], "fund_paid": total["basic"] + total["critical"] + total["assistance"],
            "out_of_pocket": total["oop"]}


def document_check(upload: UploadedFile) -> str:
    """The upload's real type (from its content), or a ValidationError in Chinese."""
    if upload.size > MAX_DOCUMENT_BYTES:
        raise ValidationError(f"文件“{upload.name}”超过 10 MB，请压缩或分页扫描后再上传")
    if upload.size == 0:
        raise ValidationError(f"文件“{upload.name}”是空文件")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for signature, content_type in SIGNATURES:
        if head.startswith(signature):
            return content_type
    raise ValidationError(f"文件“{upload.name}”不是 PDF、JPEG 或 PNG 文件（按内容判断，与扩展名无关）")


@records_actor
@transaction.atomic
def application_submit(*, acting_user, resident_id: str, name: str, region: Region, year: int, phone: str,
                       account_holder: str, bank_name: str, account_number: str, members: list[dict],
                       extra_costs: list[dict], documents: list[tuple[str, UploadedFile]],
                       notes: str = "", other_assistance: Decimal | None = None, notice_consent: bool = False,
                       notice_phone: str = "") -> Application:
    """Accept a family's application (受理). Returns it with its number. With the applicant's
    consent, the family is told by SMS (assistance/notify.py) once this transaction commits."""
    if not acting_user.has_perm("assistance.add_application"):
        raise PermissionDenied("您没有受理救助申请的权限")
    resident_id = validate_resident_id(resident_id)
    _check_fields(name=name, region=region, year=year, phone=phone, account_number=account_number,
                  account_holder=account_holder, bank_name=bank_name)
    notice_phone = notice_phone_checked(consent=notice_consent, notice_phone=notice_phone, phone=phone)
    other_assistance = other_assistance or Decimal("0.00")
    if other_assistance < 0:
        raise ValidationError({"other_assistance": "其他渠道已救助金额不能为负数"})
    person = _person_for(resident_id=resident_id, name=name.strip(), region=region, acting_user=acting_user)
    person = InsuredPerson.objects.select_for_update().get(pk=person.pk)  # one application at a time per person
    existing = (Application.objects.filter(person=person, year=year).exclude(state__in=Application.CLOSED_STATES)
                .first())
    if existing is not None:
        raise ValidationError(format_html(
            '{} 年已有该申请人的申请 <a href="{}">{}</a>（{}），不能重复受理', year,
            reverse("workspace:application", args=[existing.number]), existing.number, existing.get_state_display()))
    case = ReviewCase.objects.select_for_update().filter(person=person, year=year).first()
    if case is not None and case.state == ReviewCase.State.NOT_ELIGIBLE:
        raise ValidationError(_not_eligible_refusal(case, year))
    contents = [(kind, upload, document_check(upload)) for kind, upload in documents]
    totals = _insured_totals(person, year)
    if case is not None and case.state == ReviewCase.State.ELIGIBLE:
        state = Application.State.READY
    else:
        state = Application.State.UNDER_REVIEW
        case = review_case_open_for_application(person=person, year=year, region=region, acting_user=acting_user)
    fields = dict(
        number=_next_number(year), lookup_code=lookup_code_new(), person=person, year=year, region=region, phone=phone.strip(),
        account_holder=account_holder.strip(), bank_name=bank_name.strip(), account_number=account_number,
        insured_total_cost=totals["total_cost"], insured_fund_paid=totals["fund_paid"],
        insured_out_of_pocket=totals["out_of_pocket"], other_assistance=other_assistance, notes=notes.strip(),
        entered_by=acting_user, submitted_at=timezone.now(), review_case=case, notice_consent=bool(notice_consent),
        notice_phone=notice_phone)
    try:
        with transaction.atomic():
            application = application_create(acting_user=acting_user, reason="受理", state=state, **fields)
            bulk_create_with_history(_members(application, members), ApplicationMember, default_user=acting_user,
                                     default_change_reason="受理")
            bulk_create_with_history(_extra_costs(application, extra_costs, year=year), ExtraCost,
                                     default_user=acting_user, default_change_reason="受理")
    except IntegrityError as exc:
        if "extra_cost_invoice_unique" in str(exc):
            raise ValidationError({"extra_costs": "发票号码已在其他申请中使用过：同一张发票不能重复申请"}) from exc
        raise
    outreach_close_for_application(application=application)  # 应助未助: the family has applied
    stored = []
    try:
        for kind, upload, content_type in contents:
            stored.append(_store_document(application, kind=kind, upload=upload, content_type=content_type,
                                          acting_user=acting_user))
    except BaseException:
        for document in stored:
            document.file.delete(save=False)  # the transaction rolls the rows back; the files go too
        raise
    notify_received(application)
    return application


def notice_phone_checked(*, consent: bool, notice_phone: str, phone: str) -> str:
    """The number for notices as stored: a mobile, or blank to use the contact phone — which then
    must be a mobile when the applicant consents (SMS reach no landline)."""
    if (notice_phone or "").strip():
        try:
            return validate_mobile_phone(notice_phone)
        except ValidationError as exc:
            raise ValidationError({"notice_phone": exc.messages}) from exc
    if consent and not is_mobile_phone(phone):
        raise ValidationError({"notice_phone": "联系电话不是手机号码：同意接收短信通知的，请填写接收通知的手机号码"})
    return ""


@records_actor
@transaction.atomic
def application_notice_settings(*, application: Application, acting_user, notice_consent: bool,
                                notice_phone: str) -> Application:
    """The clerk records the family's wish at the counter: consent (again, which ends an earlier
    opt-out) or not, and the number to use."""
    require(acting_user, "add_application", "修改短信通知设置")
    locked = Application.objects.select_for_update().get(pk=application.pk)
    locked.notice_phone = notice_phone_checked(consent=notice_consent, notice_phone=notice_phone, phone=locked.phone)
    locked.notice_consent = bool(notice_consent)
    if notice_consent:
        locked.notice_opted_out_at = None
    locked._change_reason = "窗口登记短信通知：" + ("同意接收" if notice_consent else "不接收")
    locked.save(update_fields=["notice_consent", "notice_phone", "notice_opted_out_at"])
    return locked


@transaction.atomic
def application_notice_opt_out(*, application: Application, opt_out: bool) -> Application:
    """The family itself, from its progress page (no login: the caller checked the number and the
    code): stop its SMS notices, or take them again after stopping (only with the consent given)."""
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if not opt_out and not locked.notice_consent:
        raise ValidationError("申请时未登记同意接收短信通知：如需接收，请到红十字会窗口办理")
    if opt_out and locked.notice_opted_out_at is None:
        locked.notice_opted_out_at = timezone.now()
        locked._change_reason = "家庭在进度查询页退订短信通知"
    elif not opt_out and locked.notice_opted_out_at is not None:
        locked.notice_opted_out_at = None
        locked._change_reason = "家庭在进度查询页恢复短信通知"
    else:
        return locked  # already so: a second click changes nothing
    locked.save(update_fields=["notice_opted_out_at"])
    return locked


def _not_eligible_refusal(case: ReviewCase, year: int):
    """The refusal of a second application after a refusal, pointing to the way to contest it: a
    request for review (复核) of the refused application, recorded on the workspace's 复核 page."""
    refused = Application.objects.filter(review_case=case, state=Application.State.NOT_ELIGIBLE).order_by("-pk").first()
    said = f"该申请人 {year} 年已被民政部门认定不符合低收入家庭条件（{case.decision_reason}）"
    if refused is None:  # refused on the warning list, before any application: nothing to review
        return f"{said}。如家庭情况有新的变化，请向所在乡镇（街道）民政部门反映"
    return format_html('{}。如对认定有异议，请在“<a href="{}">登记复核申请</a>”页面按原申请编号 {} 申请复核'
                       '（认定之日起 {} 日内）', said, reverse("workspace_appeals:new"), refused.number,
                       settings.APPEAL_WINDOW_DAYS)


def _check_fields(**fields) -> None:
    errors = {}
    if not fields["name"].strip():
        errors["name"] = "请填写申请人姓名"
    if fields["region"] is None or fields["region"].level == Region.Level.CITY:
        errors["region"] = "请选择户籍所在的乡镇（街道）或村（社区）"
    if not settings.DATA_EARLIEST_DATE.year <= fields["year"] <= timezone.localdate().year:
        errors["year"] = "费用年度无效"
    phone = fields["phone"].strip()
    if not phone.replace("-", "").isdigit() or not 7 <= len(phone.replace("-", "")) <= 12:
        errors["phone"] = "请填写正确的联系电话（手机 11 位或带区号的固定电话）"
    account = fields["account_number"]
    if not account.isdigit() or not 10 <= len(account) <= 30:
        errors["account_number"] = "银行账号应为 10–30 位数字"
    if not fields["account_holder"].strip():
        errors["account_holder"] = "请填写收款人户名"
    if not fields["bank_name"].strip():
        errors["bank_name"] = "请填写开户银行"
    if errors:
        raise ValidationError(errors)


def _person_for(*, resident_id: str, name: str, region: Region, acting_user) -> InsuredPerson:
    """The applicant in the registry; someone the MSB data never mentioned is added to it (once,
    however many clerks enter them at the same moment)."""
    person, created = insured_person_get_or_create(resident_id=resident_id, name=name, region=region,
                                                   reason="救助申请人（医保数据中没有）", acting_user=acting_user)
    if not created and name and name != person.name:
        raise ValidationError({"name": f"姓名与参保登记不一致（登记为 {person.name}），请核对身份证"})
    return person


def _next_number(year: int) -> str:
    sequence, _created = ApplicationSequence.objects.select_for_update().get_or_create(year=year)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return f"SQ{year}{sequence.last:05d}"


def _members(application: Application, rows: list[dict]) -> list[ApplicationMember]:
    checked, problems = household_rows_checked(rows, own_resident_id=application.person.resident_id)
    if problems:
        raise ValidationError({"members": problems})
    return [ApplicationMember(application=application, name=row["name"], relation=row["relation"],
                              resident_id=row["resident_id"]) for row in checked]


def _extra_costs(application: Application, rows: list[dict], *, year: int) -> list[ExtraCost]:
    costs, errors, seen = [], [], set()
    for number, row in enumerate(rows, start=1):
        institution = (row.get("institution") or "").strip()
        invoice = (row.get("invoice_number") or "").strip().upper()
        amount, paid_on = row.get("amount"), row.get("paid_on")
        if not institution or not invoice or amount is None or paid_on is None:
            errors.append(f"第 {number} 笔费用：请填写医疗机构、发票号码、日期和金额")
        elif amount <= 0:
            errors.append(f"第 {number} 笔费用：金额应大于 0")
        elif paid_on.year != year:
            errors.append(f"第 {number} 笔费用：发票日期不在 {year} 年内")
        elif invoice in seen:
            errors.append(f"第 {number} 笔费用：发票号码 {invoice} 填写了两次")
        else:
            seen.add(invoice)
            costs.append(ExtraCost(application=application, institution=institution, invoice_number=invoice,
                                   paid_on=paid_on, amount=amount))
    if errors:
        raise ValidationError({"extra_costs": errors})
    return costs


def _store_document(application: Application, *, kind: str, upload: UploadedFile, content_type: str,
                    acting_user) -> Document:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    document = Document(application=application, kind=kind, original_name=upload.name[:200],
                        content_type=content_type, size=upload.size, sha256=digest.hexdigest(),
                        uploaded_by=acting_user)
    upload.seek(0)
    document.file.save(upload.name, upload, save=False)
    try:
        document.save()
    except BaseException:
        document.file.delete(save=False)  # no row, no file: personal data never lies about unreferenced
        raise
    return document


@records_actor
@transaction.atomic
def document_open(*, document: Document, acting_user) -> Document:
    """Record that `acting_user` opens a document they are allowed to see (checked by the caller's
    selector); the view streams the file."""
    DocumentAccess.objects.create(document=document, user=acting_user)
    return document
