"""Forms for the council's pages: a scheme with its rules, a meeting with its attendance, a draft
resolution, a rejection."""
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ..formsets import bounded_formset
from ..review.models import EligibilityCategory
from .models import CouncilMember, Meeting, Resolution, Scheme


def _numbers(text: str, *, label: str) -> list[Decimal]:
    try:
        return [Decimal(part) for part in text.replace("，", ",").replace("%", "").split(",") if part.strip()]
    except InvalidOperation:
        raise ValidationError(f"{label}：请填写用逗号分隔的数字") from None


class SchemeRuleForm(forms.Form):
    category = forms.ModelChoiceField(label=_("认定类别"), queryset=EligibilityCategory.objects.all(), required=False,
                                      empty_label=_("其他所有类别"))
    deductible = forms.DecimalField(label=_("起付标准（元）"), max_digits=14, decimal_places=2, min_value=0,
                                    initial=0)
    uppers = forms.CharField(label=_("分段上限（元）"), required=False,
                             help_text=_("用逗号分隔，如 20000, 50000；不填则只有一段"))
    ratios = forms.CharField(label=_("各段救助比例（%）"), help_text=_("每段一个，如 70, 80, 90"))

    def clean(self):
        data = super().clean()
        if "ratios" not in data:
            return data
        uppers = _numbers(data.get("uppers", ""), label="分段上限")
        ratios = _numbers(data["ratios"], label="救助比例")
        if len(ratios) != len(uppers) + 1:
            raise ValidationError(f"有 {len(uppers)} 个分段上限，应有 {len(uppers) + 1} 个救助比例")
        lowers = [Decimal("0"), *uppers]
        data["bands"] = [(lower, upper, ratio / 100) for lower, upper, ratio in zip(lowers, [*uppers, None], ratios)]
        return data


SchemeRuleFormSet = bounded_formset(SchemeRuleForm, extra=2, max_num=50)  # one rule per category


class SchemeForm(forms.ModelForm):
    rules = forms.Field(required=False, widget=forms.HiddenInput)  # where the rules' service errors show

    class Meta:
        model = Scheme
        # How to apply is approved with the scheme and published from it (the public scheme page).
        fields = ["year", "name", "annual_cap", "rounding", "count_extra_costs", "notes", "who_may_apply",
                  "documents", "where_to_apply", "apply_from", "apply_until", "enquiry_phone"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 2}), "who_may_apply": forms.Textarea(attrs={"rows": 3}),
                   "documents": forms.Textarea(attrs={"rows": 6}), "where_to_apply": forms.Textarea(attrs={"rows": 2}),
                   "apply_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                   "apply_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


class MeetingForm(forms.ModelForm):
    """The meeting, plus one field per member agency: its representative (blank: not present)."""

    attendance = forms.Field(required=False, widget=forms.HiddenInput)  # where attendance errors show

    class Meta:
        model = Meeting
        fields = ["held_on", "title", "place", "agenda", "minutes"]
        widgets = {"held_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                   "agenda": forms.Textarea(attrs={"rows": 3}), "minutes": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        present = {}
        if self.instance.pk:
            present = dict(self.instance.attendance.values_list("member_id", "representative"))
        self.members = list(CouncilMember.objects.filter(is_active=True))
        for member in self.members:
            self.fields[f"member_{member.pk}"] = forms.CharField(
                label=member.name, required=False, max_length=50, initial=present.get(member.pk, ""),
                help_text=_("出席代表姓名；未出席留空"))

    def member_fields(self):
        return [self[f"member_{member.pk}"] for member in self.members]

    def attendance_rows(self) -> list[tuple[CouncilMember, str]]:
        return [(member, self.cleaned_data[f"member_{member.pk}"]) for member in self.members
                if self.cleaned_data.get(f"member_{member.pk}", "").strip()]


class ResolutionDraftForm(forms.Form):
    kind = forms.ChoiceField(label=_("决议类型"), choices=Resolution.Kind.choices,
                             initial=Resolution.Kind.PAYOUTS, widget=forms.RadioSelect)
    scheme = forms.ModelChoiceField(label=_("救助方案"), queryset=Scheme.objects.all(),
                                    help_text=_("批准救助名单须选已批准的方案；批准方案须选草案"))
    over_budget = forms.ChoiceField(label=_("超出可用余额时"), choices=Resolution.OverBudget.choices,
                                    initial=Resolution.OverBudget.PRO_RATA)
    order = forms.ChoiceField(label=_("批准顺序"), choices=Resolution.Order.choices,
                              initial=Resolution.Order.SUBMITTED, help_text=_("按顺序批准时适用"))
    title = forms.CharField(label=_("标题"), max_length=120, required=False, help_text=_("留空则自动生成"))
    text = forms.CharField(label=_("决议内容"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由"), max_length=200)
