"""The family's two forms: the look-up (number and code, also from the slip's QR link) and the
request for a review (复核), which carries the number only: the session proved the code."""
from django import forms
from django.utils.translation import gettext_lazy as _

GROUNDS_MAX = 1000


class ProgressLookupForm(forms.Form):
    n = forms.CharField(label=_("申请编号"), max_length=20, widget=forms.TextInput(
        attrs={"placeholder": _("例如 SQ202300123"), "autocomplete": "off", "autocapitalize": "characters"}))
    c = forms.CharField(label=_("查询码"), max_length=12, widget=forms.TextInput(
        attrs={"placeholder": _("受理回执上的 8 位查询码"), "autocomplete": "off", "autocapitalize": "characters"}))


class AppealForm(forms.Form):
    n = forms.CharField(max_length=20, widget=forms.HiddenInput)
    grounds = forms.CharField(label=_("申请复核的理由"), max_length=GROUNDS_MAX, widget=forms.Textarea(
        attrs={"rows": 5, "placeholder": _("请说明您认为原决定有误的理由，如家庭情况有变化，可写明")}))
