from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .selectors import audit_models


class AuditFilterForm(forms.Form):
    model = forms.ChoiceField(label=_("对象"), required=False)
    date_from = forms.DateField(label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    actor = forms.CharField(label=_("操作人（姓名或用户名）"), required=False, max_length=150)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["model"].choices = [("", _("全部"))] + [
            (m._meta.label_lower, f"{m._meta.verbose_name}（{m._meta.app_config.verbose_name}）") for m in audit_models()
        ]

    def clean(self):
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_from > date_to:
            raise ValidationError(_("起始日期不能晚于截止日期"))
        return cleaned


def form_add_service_errors(form, error: ValidationError) -> None:
    """A service's ValidationError onto the form that fed it: each message under its field when the
    form has that field, the rest at the top of the form."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)
