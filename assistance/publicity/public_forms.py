"""The public's forms: an objection to one line of a 公示, and the look-up of an objection. The
limits are the service's (services.REASON_MIN …), checked here first so the form re-shows what was
typed with the reason in Chinese; the service checks them again."""
from django import forms
from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from .services import CONTACT_MAX, NAME_MAX, REASON_MAX, REASON_MIN

# The service names a field by its Chinese label (services._text): back to the form's field.
SERVICE_FIELDS = {"异议内容": "content", "姓名": "objector_name", "联系方式": "contact"}


def _filled(message, **params):
    """A translated message with its numbers filled in when shown (in the reader's language)."""
    return lazy(lambda: str(message) % params, str)()


class ObjectionForm(forms.Form):
    content = forms.CharField(
        label=_("异议内容"), min_length=REASON_MIN, max_length=REASON_MAX,
        error_messages={"required": _filled(_("请填写异议内容（至少 %(n)d 个字）"), n=REASON_MIN),
                        "min_length": _("异议内容至少 %(limit_value)d 个字，当前 %(show_value)d 个字"),
                        "max_length": _("异议内容最多 %(limit_value)d 个字，当前 %(show_value)d 个字")},
        help_text=_filled(_("请写明您认为该户不符合条件或金额有误的事实和理由，%(min)d 至 %(max)d 个字。"),
                          min=REASON_MIN, max=REASON_MAX),
        widget=forms.Textarea(attrs={"rows": 6}))
    objector_name = forms.CharField(
        label=_("您的姓名（可不填）"), required=False, max_length=NAME_MAX,
        error_messages={"max_length": _("姓名最多 %(limit_value)d 个字，当前 %(show_value)d 个字")},
        widget=forms.TextInput(attrs={"autocomplete": "name"}))
    contact = forms.CharField(
        label=_("联系方式（可不填）"), required=False, max_length=CONTACT_MAX,
        error_messages={"max_length": _("联系方式最多 %(limit_value)d 个字，当前 %(show_value)d 个字")},
        help_text=_("留下电话或地址，核查人员可向您了解情况；不会公开。"),
        widget=forms.TextInput(attrs={"autocomplete": "tel"}))

    def add_service_error(self, error: ValidationError) -> None:
        """A refusal of the service shown on the field it is about (or above the form)."""
        if hasattr(error, "error_dict"):
            for label, errors in error.error_dict.items():
                for item in errors:
                    self.add_error(SERVICE_FIELDS.get(label), item)
        else:
            for message in error.messages:
                self.add_error(None, message)


class ObjectionLookupForm(forms.Form):
    n = forms.CharField(
        label=_("异议编号"), max_length=20,
        error_messages={"required": _("请填写异议编号"), "max_length": _("异议编号太长，请核对")},
        widget=forms.TextInput(attrs={"placeholder": _("例如 YY202300001"), "autocomplete": "off",
                                      "autocapitalize": "characters"}))
    c = forms.CharField(
        label=_("查询码"), max_length=12,
        error_messages={"required": _("请填写查询码"), "max_length": _("查询码太长，请核对")},
        widget=forms.TextInput(attrs={"placeholder": _("提交异议后显示的 8 位查询码"), "autocomplete": "off",
                                      "autocapitalize": "characters"}))
