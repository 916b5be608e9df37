"""Spreadsheet import and export of donations (django-import-export).

The import goes through `donation_record`, exactly like a donation typed into the admin:
ledger entry and receipt included. The admin's preview runs the same code in a transaction
that is rolled back, so a cancelled import writes nothing, and any row error blocks the
confirm step for the whole file.
"""
import csv
import io
import re

import tablib

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from import_export import fields, resources, widgets
from import_export.formats import base_formats
from import_export.results import Result

from fundportal.dates import parse_date
from fundportal.identifiers import validate_resident_id
from fundportal.money import parse_money
from fundportal.csvsafe import safe_cell
from fundportal.text import clean_code, decode_spreadsheet_text, to_half_width
from fundportal.uploads import SMALL_XLSX, UploadRefused, sheet_rows, xlsx_check

from . import services
from .models import Campaign, Donation, Donor

CHANNELS = {label: value for value, label in Donation.Channel.choices} | {
    "转账": Donation.Channel.BANK_TRANSFER, "银行": Donation.Channel.BANK_TRANSFER,
    "网银": Donation.Channel.BANK_TRANSFER, "微信": Donation.Channel.ONLINE, "支付宝": Donation.Channel.ONLINE,
    "网上": Donation.Channel.ONLINE, "线上": Donation.Channel.ONLINE,
}
ORG_KINDS = {str(label): value for value, label in Donor.OrgKind.choices}


class ChineseCSV(base_formats.CSV):
    """CSV read as bytes and decoded as UTF-8 or GBK, whichever the file is."""

    def is_binary(self):
        return True

    def get_read_mode(self):
        return "rb"

    def create_dataset(self, in_stream, **kwargs):
        if isinstance(in_stream, bytes):
            in_stream = decode_spreadsheet_text(in_stream)
        # Every row becomes a row of the preview (and of its list of errors): bounded like an .xlsx.
        if in_stream.rstrip().count("\n") > MAX_IMPORT_ROWS:  # the lines after the header
            raise _too_many_rows()
        records = csv.reader(io.StringIO(in_stream, newline=""), delimiter=kwargs.get("delimiter", ","))
        try:
            # A record is a row in Excel however many lines its quoted cells take.
            return spreadsheet_dataset(enumerate(records, start=1))
        except csv.Error as exc:  # a cell over the csv module's limit, a stray NUL …
            raise UploadRefused(f"无法读取该 CSV 文件（单元格过长或格式错误）：{exc}", code="upload_refused") from exc


class CheckedXLSX(base_formats.XLSX):
    """.xlsx checked before openpyxl reads it (a small file may unpack to gigabytes), then read by
    what it holds, not by the size it declares (fundportal.uploads.sheet_rows): import-export's
    own reader pads every row to the declared dimension, and yields every row a file skips."""

    def create_dataset(self, in_stream):
        import openpyxl

        xlsx_check(io.BytesIO(in_stream), SMALL_XLSX)
        book = openpyxl.load_workbook(io.BytesIO(in_stream), read_only=True, data_only=True)
        try:
            return spreadsheet_dataset(sheet_rows(book.worksheets[0], SMALL_XLSX))
        finally:
            book.close()


def spreadsheet_dataset(rows) -> tablib.Dataset:
    """A dataset of the header (row 1) and the rows that are not blank, from (row number, cells),
    each row as wide as the header. `dataset.row_numbers` holds each row's number in the file —
    the number Excel shows beside it — for the import's list of errors."""
    _number, header = next(rows, (1, ()))
    header = list(header)
    width = max(len(header), 1)
    dataset = tablib.Dataset(headers=header or None)
    dataset.row_numbers = []
    for number, row in rows:
        if all(value is None or not str(value).strip() for value in row):
            continue
        if dataset.height >= MAX_IMPORT_ROWS:
            raise _too_many_rows()
        dataset.append([*row[:width], *[""] * (width - len(row))])
        dataset.row_numbers.append(number)
    return dataset


def row_number_in_file(dataset, index: int) -> int:
    """The file's row number of the dataset's `index`-th row (from 1, as import-export counts):
    the header is row 1, so without recorded numbers it is index + 1."""
    numbers = getattr(dataset, "row_numbers", None)
    return numbers[index - 1] if numbers and 0 < index <= len(numbers) else index + 1


class FileRowsResult(Result):
    """The list of errors by the row numbers the errors were given (the file's), not by place."""

    def row_errors(self):
        return [(row.number, row.errors) for row in self.error_rows]


def _too_many_rows() -> UploadRefused:
    return UploadRefused(f"文件超过 {MAX_IMPORT_ROWS:,} 行，请分批导入", code="upload_refused")


IMPORT_FORMATS = [ChineseCSV, CheckedXLSX]
MAX_IMPORT_BYTES = 10 << 20  # tens of thousands of rows: far more than a year of donations
MAX_IMPORT_ROWS = 20_000


class MoneyWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if isinstance(value, float):
            # .xlsx number cells arrive as floats; their shortest repr is the number as typed,
            # and parse_money still refuses anything beyond the fen.
            value = repr(value)
        return parse_money(value if value is not None else "")


class FlexibleDateWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        return parse_date(value)


class ChannelWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        text = to_half_width(str(value if value is not None else "")).strip()
        if text in CHANNELS:
            return CHANNELS[text]
        if text in Donation.Channel.values:
            return text
        if not text:
            raise ValueError("捐赠方式为空，应为：银行转账、现金或网络支付")
        raise ValueError(f"捐赠方式“{text}”无效，应为：银行转账、现金或网络支付")


class TextWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if value is None:
            return ""
        return " ".join(to_half_width(str(value)).split())


class CountWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        text = to_half_width(str(value if value is not None else "")).strip().removesuffix("人")
        if not text:
            return 1
        number = int(text.split(".")[0]) if re.fullmatch(r"\d+(\.0+)?", text) else None
        if number is None:
            raise ValueError(f"捐赠人数“{value}”不是整数")
        if number < 1:
            raise ValueError("捐赠人数至少为 1")
        return number


class CampaignWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        name = " ".join(str(value or "").split())
        if not name:
            return None
        campaign = Campaign.objects.filter(name=name).first()
        if campaign is None:
            raise ValueError(f"募捐活动“{name}”不存在，请先在系统中建立")
        return campaign


class DonationImportResource(resources.ModelResource):
    """One row per donation. Columns are the Chinese headers of the template."""

    donor_name = fields.Field(attribute="import_donor_name", column_name="捐赠方", widget=TextWidget())
    donor_code = fields.Field(attribute="import_donor_code", column_name="证件号码", widget=TextWidget())
    org_kind = fields.Field(attribute="import_org_kind", column_name="单位类别", widget=TextWidget())
    amount = fields.Field(attribute="amount", column_name="金额", widget=MoneyWidget())
    received_on = fields.Field(attribute="received_on", column_name="到账日期", widget=FlexibleDateWidget())
    channel = fields.Field(attribute="channel", column_name="捐赠方式", widget=ChannelWidget())
    bank_reference = fields.Field(attribute="bank_reference", column_name="银行流水号", widget=TextWidget())
    campaign = fields.Field(attribute="campaign", column_name="募捐活动", widget=CampaignWidget())
    giver_count = fields.Field(attribute="giver_count", column_name="捐赠人数", widget=CountWidget())
    note = fields.Field(attribute="note", column_name="备注", widget=TextWidget())

    class Meta:
        model = Donation
        fields = ("donor_name", "donor_code", "org_kind", "amount", "received_on", "channel",
                  "bank_reference", "campaign", "giver_count", "note")
        import_id_fields = ()
        skip_diff = True
        use_transactions = True
        clean_model_instances = False

    def __init__(self, *, acting_user=None, **kwargs):
        super().__init__(**kwargs)
        self.acting_user = acting_user

    def get_result_class(self):
        return FileRowsResult

    def after_import(self, dataset, result, **kwargs):
        """Rows numbered as the file shows them (header = row 1, blank rows counted), not from 1
        for the first row read: import-export counts the dataset's rows."""
        super().after_import(dataset, result, **kwargs)
        for row in [*result.invalid_rows, *result.error_rows]:
            row.number = row_number_in_file(dataset, row.number)

    def import_row(self, row, instance_loader, **kwargs):
        result = super().import_row(row, instance_loader, **kwargs)
        if result.validation_error is not None:
            result.validation_error = self._by_heading(result.validation_error)
        return result

    def _by_heading(self, error: ValidationError) -> ValidationError:
        """The row's errors under the file's own column headings (金额, 到账日期 …), as a clerk reads
        them, instead of the model's field names; an error of no one column is the row's."""
        if not hasattr(error, "error_dict"):
            return error
        headings = {field.attribute: field.column_name for field in self.get_import_fields()}
        headings |= {"donor": headings["import_donor_name"], "is_anonymous": headings["import_donor_name"],
                     "uscc": headings["import_donor_code"], "resident_id": headings["import_donor_code"],
                     "org_kind": headings["import_org_kind"], "name": headings["import_donor_name"]}
        by_heading: dict[str, list] = {}
        for key, errors in error.error_dict.items():
            by_heading.setdefault(headings.get(key, NON_FIELD_ERRORS), []).extend(errors)
        return ValidationError(by_heading)

    def get_instance(self, instance_loader, row):
        return None  # every row is a new donation; donations are never updated by import

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        if field.column_name not in row:
            if field.column_name in {"金额", "到账日期", "捐赠方式"}:
                raise ValueError(f"缺少“{field.column_name}”列")
            setattr(instance, field.attribute, field.widget.clean(None))
            return
        super().import_field(field, instance, row, is_m2m=is_m2m, **kwargs)

    def save_instance(self, instance, is_create, row, **kwargs):
        acting_user = self.acting_user or kwargs.get("user")
        # One savepoint per row: a donor created for a row that then fails goes with it.
        with transaction.atomic():
            donor = self._donor_for_row(instance, acting_user)
            donation = services.donation_record(
                donor=donor, is_anonymous=donor is None, amount=instance.amount,
                received_on=instance.received_on, channel=instance.channel,
                bank_reference=instance.bank_reference, campaign=instance.campaign,
                giver_count=instance.giver_count, note=instance.note, acting_user=acting_user,
            )
        instance.pk = donation.pk

    def _donor_for_row(self, instance, acting_user) -> Donor | None:
        """Find the donor by code (or by exact name when no code); register it if new."""
        name, code = instance.import_donor_name, clean_code(instance.import_donor_code)
        if not name and not code:
            return None  # anonymous
        if code:
            donor = Donor.objects.filter(uscc=code).first() or Donor.objects.filter(resident_id=code).first()
            if donor:
                return donor
            if not name:
                raise ValidationError({"import_donor_name": "新捐赠方请填写名称"})
            if instance.import_org_kind or not _is_resident_id(code):
                org_kind = ORG_KINDS.get(instance.import_org_kind) or Donor.OrgKind.OTHER
                return services.donor_create(kind=Donor.Kind.ORGANISATION, name=name, uscc=code,
                                             org_kind=org_kind, acting_user=acting_user)
            return services.donor_create(kind=Donor.Kind.INDIVIDUAL, name=name, resident_id=code,
                                         acting_user=acting_user)
        if instance.import_org_kind:
            raise ValidationError({"import_donor_code": "单位捐赠方须填写统一社会信用代码"})
        # Without a code only a private person without an ID number on file can be matched by name.
        matches = list(Donor.objects.filter(name=name, kind=Donor.Kind.INDIVIDUAL, resident_id="")[:2])
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise ValidationError({"import_donor_code": f"有多个名为“{name}”的个人捐赠方，请填写身份证号码"})
        if Donor.objects.filter(name=name).exists():
            raise ValidationError({"import_donor_code": f"“{name}”已登记并有证件号码，请填写证件号码"})
        return services.donor_create(kind=Donor.Kind.INDIVIDUAL, name=name, acting_user=acting_user)


def _is_resident_id(code: str) -> bool:
    try:
        validate_resident_id(code)
    except ValidationError:
        return False
    return True


class DonationExportResource(resources.ModelResource):
    """What the federation exports: no ID numbers, no phone numbers."""

    receipt = fields.Field(column_name="收据编号")
    donor = fields.Field(column_name="捐赠方")
    donor_kind = fields.Field(column_name="捐赠方类型")
    amount = fields.Field(attribute="amount", column_name="金额")
    received_on = fields.Field(attribute="received_on", column_name="到账日期", widget=widgets.DateWidget("%Y-%m-%d"))
    channel = fields.Field(column_name="捐赠方式")
    bank_reference = fields.Field(attribute="bank_reference", column_name="银行流水号")
    campaign = fields.Field(attribute="campaign__name", column_name="募捐活动")
    giver_count = fields.Field(attribute="giver_count", column_name="捐赠人数")
    status = fields.Field(column_name="状态")
    note = fields.Field(attribute="note", column_name="备注")

    class Meta:
        model = Donation
        fields = ("receipt", "donor", "donor_kind", "amount", "received_on", "channel", "bank_reference",
                  "campaign", "giver_count", "status", "note")
        export_order = fields

    def export_field(self, field, instance, **kwargs):
        value = super().export_field(field, instance, **kwargs)
        return safe_cell(value) if isinstance(value, str) else value

    def dehydrate_receipt(self, donation):
        return donation.valid_receipt_number()

    def dehydrate_donor(self, donation):
        return donation.donor_display

    def dehydrate_donor_kind(self, donation):
        return donation.donor.get_kind_display() if donation.donor else "匿名"

    def dehydrate_channel(self, donation):
        return donation.get_channel_display()

    def dehydrate_status(self, donation):
        return donation.get_status_display()
