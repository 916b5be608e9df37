"""The village officer's follow-up form. It only parses; followup_record checks everything again
(the outcome, the notes, the follow-up still open, the area) under the follow-up's lock."""
from django import forms
from django.utils.translation import gettext_lazy as _

from .models import FollowUp

Outcome = FollowUp.Outcome
# What an officer records: a death comes from the registry (stopping.py), never typed here.
RECORDED_OUTCOMES = [(value, label) for value, label in Outcome.choices if value != Outcome.DIED]


class RecordForm(forms.Form):
    outcome = forms.ChoiceField(label=_("跟进结果"), choices=RECORDED_OUTCOMES, widget=forms.RadioSelect,
                                error_messages={"required": _("请选择跟进结果"),
                                                "invalid_choice": _("请选择跟进结果：无返贫风险、转入资格审核或已迁出")})
    notes = forms.CharField(label=_("跟进情况"), required=False, widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
                            help_text=_("入户或电话核实了什么；转入资格审核的写明家庭情况的变化；迁出的写明迁往何处"))
