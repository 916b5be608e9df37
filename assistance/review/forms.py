"""Forms of the civil-affairs desk: what each move of a review case asks for."""
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fundportal.models import Region

from ..formsets import bounded_formset
from .household import MAX_MEMBERS
from .models import EligibilityCategory, HouseholdMember, ReviewCase


class AssignForm(forms.Form):
    village = forms.ModelChoiceField(label=_("负责甄别的村（社区）"), queryset=Region.objects.none(), required=False)

    def __init__(self, *args, case: ReviewCase, **kwargs):
        super().__init__(*args, **kwargs)
        if case.region.level == Region.Level.VILLAGE:
            self.fields["village"].queryset = Region.objects.filter(pk=case.region_id)
            self.fields["village"].initial = case.region_id
        else:
            self.fields["village"].queryset = Region.objects.filter(parent=case.region,
                                                                   level=Region.Level.VILLAGE).order_by("code")
            self.fields["village"].required = True


class VerifyForm(forms.Form):
    visited_on = forms.DateField(label=_("入户核查日期"),
                                 widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    household_income = forms.DecimalField(label=_("家庭年收入（元）"), max_digits=14, decimal_places=2, min_value=0)
    assets = forms.CharField(label=_("家庭财产"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    housing = forms.CharField(label=_("住房情况"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    notes = forms.CharField(label=_("核查情况说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["visited_on"].initial = timezone.localdate()


class HouseholdMemberForm(forms.ModelForm):
    class Meta:
        model = HouseholdMember
        fields = ["name", "relation", "resident_id", "annual_income", "notes"]
        widgets = {"name": forms.TextInput(attrs={"size": 8}), "relation": forms.TextInput(attrs={"size": 6}),
                   "resident_id": forms.TextInput(attrs={"size": 18, "autocomplete": "off"}),
                   "annual_income": forms.NumberInput(attrs={"class": "household-income"}),
                   "notes": forms.TextInput(attrs={"size": 14})}


HouseholdFormSet = bounded_formset(HouseholdMemberForm, extra=3, max_num=MAX_MEMBERS, can_delete=True)


def household_rows(formset) -> list[dict]:
    """The filled-in, not deleted member rows (the service validates them)."""
    return [form.cleaned_data for form in formset.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE") and form.has_changed()]


class DetermineForm(forms.Form):
    eligible = forms.TypedChoiceField(label=_("认定结果"), coerce=lambda value: value == "yes", widget=forms.RadioSelect,
                                      choices=[("yes", _("符合低收入家庭认定条件")), ("no", _("不符合"))])
    category = forms.ModelChoiceField(label=_("认定类别"), required=False,
                                      queryset=EligibilityCategory.objects.filter(is_active=True))
    reason = forms.CharField(label=_("不符合原因"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("退回原因"), widget=forms.Textarea(attrs={"rows": 3}))


class MoveForm(forms.Form):
    region = forms.ModelChoiceField(label=_("调整到"), queryset=Region.objects.none())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        area = user.region
        regions = Region.objects.exclude(level=Region.Level.CITY).order_by("path")
        self.fields["region"].queryset = regions.filter(path__startswith=area.path) if area else regions.none()
