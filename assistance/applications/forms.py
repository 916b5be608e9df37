"""Forms of the Red Cross clerks' workspace: look an applicant up, then enter the application."""
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fundportal.identifiers import is_mobile_phone, validate_mobile_phone, validate_resident_id
from fundportal.masking import mask_phone
from fundportal.models import Region

from ..formsets import bounded_formset
from ..intake.selectors import imported_years
from ..review.household import MAX_MEMBERS
from .models import Document


def cost_years():
    this_year = timezone.localdate().year
    return [(year, str(year)) for year in range(this_year, 2017, -1)]


class ResidentIdInput(forms.TextInput):
    """Checked as the clerk types (static/js/resident-id.js); the server checks again."""

    def __init__(self, attrs=None):
        super().__init__({"data-resident-id": "", "autocomplete": "off", "inputmode": "text", "maxlength": 18,
                          "size": 20, **(attrs or {})})


class LookupForm(forms.Form):
    resident_id = forms.CharField(label=_("申请人身份证号码"), max_length=24, widget=ResidentIdInput({"autofocus": True}))
    year = forms.TypedChoiceField(label=_("医疗费用年度"), coerce=int, choices=cost_years)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The newest year the MSB's data was imported for, before this one: the year being assisted
        # (the running year's monthly files are not the costs assisted this year).
        this_year = timezone.localdate().year
        self.fields["year"].initial = next((year for year in imported_years() if year < this_year), this_year - 1)


class ApplicationForm(forms.Form):
    # Carried from the look-up step in hidden fields, so checked again here (a page can be edited);
    # their errors are shown above the form (workspace/application_form.html).
    resident_id = forms.CharField(label=_("申请人身份证号码"), max_length=24, widget=forms.HiddenInput)
    year = forms.TypedChoiceField(label=_("医疗费用年度"), coerce=int, choices=cost_years, widget=forms.HiddenInput)
    name = forms.CharField(label=_("申请人姓名"), max_length=50)
    region = forms.ModelChoiceField(label=_("户籍所在地"), queryset=Region.objects.none(),
                                    help_text=_("乡镇（街道）或村（社区）"))
    phone = forms.CharField(label=_("联系电话"), max_length=20, widget=forms.TextInput({"inputmode": "tel"}))
    account_holder = forms.CharField(label=_("收款人户名"), max_length=50)
    bank_name = forms.CharField(label=_("开户银行"), max_length=60)
    account_number = forms.CharField(label=_("银行账号"), max_length=40,
                                     widget=forms.TextInput({"inputmode": "numeric", "autocomplete": "off"}))
    other_assistance = forms.DecimalField(
        label=_("其他渠道已救助（元）"), max_digits=14, decimal_places=2, min_value=0, initial=0, required=False,
        help_text=_("本年度医疗费用已由其他慈善或救助支付的金额，测算时扣除"),
        widget=forms.NumberInput({"inputmode": "decimal", "step": "0.01"}))
    notes = forms.CharField(label=_("备注"), required=False, widget=forms.Textarea({"rows": 2}))
    notice_consent = forms.BooleanField(label=_("同意接收短信通知"), required=False,
                                        help_text=_("受理、认定、批准、公示、发放等进展以短信告知；可随时在进度查询页退订"))
    notice_phone = forms.CharField(label=_("接收通知的手机号码"), max_length=20, required=False,
                                   help_text=_("不填则发往联系电话（须为手机）"),
                                   widget=forms.TextInput({"inputmode": "tel", "autocomplete": "off"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = (Region.objects.exclude(level=Region.Level.CITY)
                                          .select_related("parent").order_by("path"))
        self.fields["region"].label_from_instance = (
            lambda region: f"{region.parent.name} {region.name}" if region.level == Region.Level.VILLAGE
            else region.name)

    def clean_resident_id(self):
        return validate_resident_id(self.cleaned_data["resident_id"])

    def clean_account_number(self):
        return "".join(self.cleaned_data["account_number"].split())  # "6228 4803 …" as printed on cards

    def clean_notice_phone(self):
        return notice_phone_clean(self.cleaned_data["notice_phone"])

    def clean(self):
        data = super().clean()
        notice_consent_check(self, data)
        return data


def notice_phone_clean(value: str) -> str:
    return validate_mobile_phone(value) if value.strip() else ""


def notice_consent_check(form, data: dict, *, phone: str | None = None) -> None:
    """Consent with no number for notices needs a mobile contact phone (an SMS reaches no landline)."""
    phone = data.get("phone", "") if phone is None else phone
    if data.get("notice_consent") and not data.get("notice_phone") and "notice_phone" not in form.errors \
            and not is_mobile_phone(phone):
        form.add_error("notice_phone", _("联系电话不是手机号码：同意接收短信通知的，请填写接收通知的手机号码"))


class NoticeSettingsForm(forms.Form):
    """The family's wish recorded later at the counter (consent again, another number)."""

    notice_consent = ApplicationForm.base_fields["notice_consent"]
    notice_phone = ApplicationForm.base_fields["notice_phone"]

    def __init__(self, *args, phone: str, current: str = "", **kwargs):
        """`phone` the contact phone, `current` the number notices go to now (kept when left blank)."""
        super().__init__(*args, **kwargs)
        self.phone, self.current = phone, current
        if current:  # never shown whole: the page says which number, masked
            self.fields["notice_phone"].help_text = _("不填则保留现在的号码 %(phone)s") % {"phone": mask_phone(current)}

    def clean_notice_phone(self):
        return notice_phone_clean(self.cleaned_data["notice_phone"]) or self.current

    def clean(self):
        data = super().clean()
        notice_consent_check(self, data, phone=self.phone)
        return data


class MemberForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50, required=False)
    relation = forms.CharField(label=_("关系"), max_length=20, required=False)
    resident_id = forms.CharField(label=_("身份证号码"), max_length=24, required=False, widget=ResidentIdInput())


class ExtraCostForm(forms.Form):
    institution = forms.CharField(label=_("医疗机构"), max_length=100, required=False)
    invoice_number = forms.CharField(label=_("发票号码"), max_length=40, required=False)
    paid_on = forms.DateField(label=_("发票日期"), required=False,
                              widget=forms.DateInput({"type": "date"}, format="%Y-%m-%d"))
    amount = forms.DecimalField(label=_("个人负担（元）"), max_digits=14, decimal_places=2, required=False)


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("材料类别"), choices=Document.Kind.choices, required=False)
    file = forms.FileField(label=_("文件"), required=False,
                           widget=forms.ClearableFileInput({"accept": "application/pdf,image/jpeg,image/png"}))


MAX_EXTRA_COSTS = 100  # invoices outside the MSB's data in one year
MAX_DOCUMENTS = 30  # scans attached to one application

MemberFormSet = bounded_formset(MemberForm, extra=3, max_num=MAX_MEMBERS)
ExtraCostFormSet = bounded_formset(ExtraCostForm, extra=2, max_num=MAX_EXTRA_COSTS)
DocumentFormSet = bounded_formset(DocumentForm, extra=4, max_num=MAX_DOCUMENTS)


def filled(formset) -> list[dict]:
    """The rows the clerk filled in (empty extra rows left out)."""
    return [form.cleaned_data for form in formset.forms if form.cleaned_data and any(form.cleaned_data.values())]
