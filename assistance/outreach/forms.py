"""The village officer's contact form. It only parses; outreach_contact_record checks everything
again (the date, the reason a refusal needs, the task still open) under the task's lock."""
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import OutreachContact
from .services import REASON_MAX


class ContactForm(forms.Form):
    contacted_on = forms.DateField(label=_("联系日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    method = forms.ChoiceField(label=_("联系方式"), choices=OutreachContact.Method.choices)
    result = forms.ChoiceField(label=_("联系结果"), choices=OutreachContact.Result.choices, widget=forms.RadioSelect)
    reason = forms.CharField(label=_("说明"), required=False, max_length=REASON_MAX,
                             widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
                             help_text=_("放弃申请须写明原因；迁出的写明迁往何处"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contacted_on"].initial = timezone.localdate()
