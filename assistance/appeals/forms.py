"""Forms of the clerk's 复核 page: find the application by its number, then the family's grounds."""
from django import forms
from django.utils.translation import gettext_lazy as _

from .services import GROUNDS_MAX


class ApplicationNumberForm(forms.Form):
    number = forms.CharField(label=_("申请编号"), max_length=16,
                             widget=forms.TextInput({"autofocus": True, "autocomplete": "off", "size": 18}),
                             help_text=_("受理回执上的申请编号，如 SQ202300001"))

    def clean_number(self) -> str:
        return "".join(self.cleaned_data["number"].split()).upper()


class AppealForm(forms.Form):
    number = forms.CharField(max_length=16, widget=forms.HiddenInput)
    grounds = forms.CharField(label=_("复核理由"), max_length=GROUNDS_MAX,
                              widget=forms.Textarea({"rows": 6, "maxlength": GROUNDS_MAX}),
                              help_text=_("申请人对原决定有异议的理由和新的情况，5 至 1000 字"))
