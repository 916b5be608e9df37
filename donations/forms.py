from django import forms
from django.utils.translation import gettext_lazy as _


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
