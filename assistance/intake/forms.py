"""Forms of the MSB's desk: a settlement file to import, a screening run, an ID-number lookup, a death."""
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fundportal.identifiers import validate_resident_id

from .models import InsuredPerson, ScreeningRun
from .services import death_validate

MAX_UPLOAD_BYTES = 4 << 30  # a city's year as CSV is a few GB at most
ALLOWED_EXTENSIONS = (".csv", ".xlsx")


def _years():
    this_year = timezone.localdate().year
    return [(year, str(year)) for year in range(this_year, settings.DATA_EARLIEST_DATE.year - 1, -1)]


class SettlementUploadForm(forms.Form):
    year = forms.TypedChoiceField(label=_("年度"), coerce=int, choices=_years)
    month = forms.TypedChoiceField(
        label=_("月份"), coerce=int, required=False, empty_value=None,
        choices=[("", _("整年或不按月（按结算编号合并）"))] + [(month, f"{month} 月") for month in range(1, 13)],
        help_text=_("按月提取的文件请选择月份：文件中每行的结算日期都须在该月内；重新导入同一月份会整月替换原有数据"))
    file = forms.FileField(label=_("结算数据文件"), help_text=_(".csv（UTF-8 或 GBK）或 .xlsx；第一行为表头"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(ALLOWED_EXTENSIONS):
            raise ValidationError(_("只接受 .csv 或 .xlsx 文件"))
        if upload.size > MAX_UPLOAD_BYTES:
            raise ValidationError(_("文件超过 4 GB，请按月拆分后分别导入"))
        return upload


class ScreeningRunForm(forms.ModelForm):
    year = forms.TypedChoiceField(label=_("年度"), coerce=int, choices=_years)

    class Meta:
        model = ScreeningRun
        fields = ["year", "threshold", "local_only", "exclude_deceased", "min_settlements"]


class ResidentIdLookupForm(forms.Form):
    """Sent by POST: an ID number never travels in a URL."""

    resident_id = forms.CharField(label=_("身份证号码"), max_length=30)

    def clean_resident_id(self):
        return validate_resident_id(self.cleaned_data["resident_id"])


class InsuredPersonStatusForm(forms.ModelForm):
    class Meta:
        model = InsuredPerson
        fields = ["is_deceased", "died_on"]

    def clean(self):
        data = super().clean()
        try:
            death_validate(is_deceased=data.get("is_deceased", False), died_on=data.get("died_on"),
                           born_on=self.instance.birth_date)
        except ValidationError as exc:
            for field, errors in exc.error_dict.items():
                self.add_error(field, errors)
        return data
