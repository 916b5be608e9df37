from django import forms
from django.utils.translation import gettext_lazy as _
from import_export.forms import ImportForm

from fundportal.uploads import SMALL_XLSX, check_upload_size, is_zip, xlsx_check

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
