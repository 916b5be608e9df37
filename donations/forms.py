"""The Charity Federation's forms: each runs its service's own rules in clean(), so a refusal
shows on the form and nothing is written."""
import uuid

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from import_export.forms import ImportForm

from fundportal.dates import SCHEDULE, DateRangeValidator
from fundportal.uploads import SMALL_XLSX, check_upload_size, is_zip, xlsx_check

from . import selectors, services
from .models import Donation, Donor, Pledge
from .resources import MAX_IMPORT_BYTES


class ReceiptLookupForm(forms.Form):
    n = forms.CharField(label=_("收据编号"), max_length=20, widget=forms.TextInput(
        attrs={"placeholder": _("例如 2023-000123"), "autocomplete": "off"}))
    c = forms.CharField(label=_("验证码"), max_length=12, widget=forms.TextInput(
        attrs={"placeholder": _("收据上的 8 位验证码"), "autocomplete": "off", "autocapitalize": "characters"}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=200, widget=forms.Textarea(attrs={"rows": 3}))


class FiscalBillForm(forms.Form):
    bill_number = forms.CharField(label=_("公益事业捐赠票据号码"), max_length=40)
    check_code = forms.CharField(label=_("校验码"), max_length=40)


class DonationImportForm(ImportForm):
    """The import's upload, refused by size and (an .xlsx) by what it unpacks to before the
    import reads it into memory."""

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        check_upload_size(upload, max_bytes=MAX_IMPORT_BYTES, what="导入文件")
        upload.seek(0)
        if is_zip(upload.read(4)):
            upload.seek(0)
            xlsx_check(upload, SMALL_XLSX)
        upload.seek(0)
        return upload


class DonorForm(forms.ModelForm):
    class Meta:
        model = Donor
        fields = ["kind", "name", "org_kind", "uscc", "resident_id", "contact_person", "phone", "notice_consent",
                  "address", "note"]

    def clean(self):
        data = super().clean()
        if data.get("notice_consent") and "phone" in data:
            try:
                data["phone"] = services.donor_phone_checked(phone=data["phone"], notice_consent=True)
            except ValidationError as exc:
                self.add_error("phone", exc.error_dict["phone"])
        if self.instance.pk or self.errors:
            return data
        try:
            data.update(services.donor_validate(**data))
        except ValidationError as exc:
            for field, errors in exc.error_dict.items():
                for error in errors:
                    self.add_error(field if field in self.fields else None, _with_link(error))
        return data

    def _post_clean(self):
        if self.instance.pk:
            super()._post_clean()  # edits: the model's own checks; new donors: donor_validate did it


def _with_link(error: ValidationError) -> ValidationError:
    """A duplicate-donor refusal links to the donor registered first."""
    if error.code != "duplicate_donor":
        return error
    url = reverse("admin:donations_donor_change", args=[error.params["id"]])
    return ValidationError(format_html('该{}已登记为 <a href="{}">{}</a>（编号 {}），请直接选用',
                                       error.params["label"], url, error.params["name"], error.params["id"]))


class PledgeAddForm(forms.ModelForm):
    instalment_count = forms.IntegerField(label=_("分期数"), min_value=1, max_value=120, initial=1)
    first_due_on = forms.DateField(label=_("首期应到日期"), widget=admin.widgets.AdminDateWidget,
                                   validators=[DateRangeValidator(SCHEDULE, _("首期应到日期"))])
    months_between = forms.IntegerField(label=_("每期间隔（月）"), min_value=1, max_value=60, initial=12)

    class Meta:
        model = Pledge
        fields = ["donor", "campaign", "total", "signed_on", "note"]


DONATION_FIELDS = ["donor", "is_anonymous", "amount", "received_on", "channel", "bank_reference", "campaign",
                   "giver_count", "instalment", "note"]


class DonationForm(forms.ModelForm):
    # A fresh key per rendered form: submitting the same form twice records the money once.
    submission_key = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)
    acting_user = None  # set per request by DonationAdmin.get_form: submission keys are per user

    class Meta:
        model = Donation
        fields = DONATION_FIELDS

    def _resubmitted(self, key) -> bool:
        return key is not None and selectors.donation_for_submission(user=self.acting_user, key=key) is not None

    def clean(self):
        data = super().clean()
        key = data.get("submission_key")
        if self._resubmitted(key):
            return data  # a resubmission: donation_record answers with the donation already recorded
        if not self.errors:
            # The service's own rules, run here so a refusal shows on the form and nothing is written.
            try:
                services.donation_validate(**{k: data.get(k) for k in DONATION_FIELDS})
            except ValidationError as exc:
                if self._resubmitted(key):
                    # A twin submission committed meanwhile (its bank reference is now taken):
                    # this one gets the twin's answer, not a refusal.
                    return data
                for field, errors in exc.error_dict.items():
                    self.add_error(field if field in self.fields else None, errors)
        return data

    def _post_clean(self):
        pass  # the model's checks are donation_validate's job
