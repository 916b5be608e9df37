"""The admin's forms for statements: which period to build, and a correction's text."""
import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Statement
from .services import period_for

KINDS = [(Statement.Kind.MONTH, _("月度")), (Statement.Kind.QUARTER, _("季度")), (Statement.Kind.YEAR, _("年度")),
         (Statement.Kind.CUSTOM, _("自定义期间"))]


class StatementRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=KINDS, initial=Statement.Kind.MONTH)
    day = forms.DateField(label=_("期间内的任一日期"), required=False,
                          widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                          help_text=_("月度、季度、年度：填该期间内的任一日期，如 2023-06-15 表示 2023 年 6 月"))
    start = forms.DateField(label=_("开始日期"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                            help_text=_("自定义期间时填写"))
    end = forms.DateField(label=_("结束日期"), required=False,
                          widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        last_month = timezone.localdate().replace(day=1) - dt.timedelta(days=1)
        self.fields["day"].initial = last_month

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == Statement.Kind.CUSTOM:
            if not data.get("start") or not data.get("end"):
                raise forms.ValidationError(_("自定义期间须填写开始和结束日期"))
            data["period"] = (data["start"], data["end"])
        elif kind:
            if not data.get("day"):
                raise forms.ValidationError(_("请填写期间内的任一日期"))
            data["period"] = period_for(kind, data["day"])
        return data


class CorrectionForm(forms.Form):
    notice = forms.CharField(label=_("更正说明"), widget=forms.Textarea(attrs={"rows": 4}),
                             help_text=_("写明哪一项有误、正确的数字和原因；原公示保持不变"))
