"""Forms of the objection desk: recording an objection received by phone, letter or visit, the
investigation, the decision. They only parse; the services check everything again."""
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Objection, Publicity
from .services import CONTACT_MAX, NAME_MAX, REASON_MAX, REASON_MIN

INVESTIGATION_MAX = 2000
RECORDED_CHANNELS = [(value, label) for value, label in Objection.Channel.choices
                     if value != Objection.Channel.ONLINE]


def _text(label, *, max_length: int, required: bool = True, rows: int = 4, help_text: str = ""):
    return forms.CharField(label=label, max_length=max_length, required=required, help_text=help_text,
                           widget=forms.Textarea(attrs={"rows": rows, "cols": 60}) if rows else None)


class RecordForm(forms.Form):
    """Staff name the entry as the objector read it: the 公示, then the line number."""

    publicity = forms.ModelChoiceField(label=_("公示"), queryset=Publicity.objects.none(),
                                       empty_label=_("请选择公示"))
    line = forms.IntegerField(label=_("公示序号"), min_value=1, max_value=2**31 - 1,
                              help_text=_("异议人所指的公示名单序号"))
    channel = forms.ChoiceField(label=_("提出方式"), choices=RECORDED_CHANNELS)
    received_on = forms.DateField(label=_("收到日期"),
                                  widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    content = _text(_("异议内容"), max_length=REASON_MAX,
                    help_text=_("%(min)s 至 %(max)s 个字") % {"min": REASON_MIN, "max": REASON_MAX})
    objector_name = forms.CharField(label=_("异议人"), max_length=NAME_MAX, required=False,
                                    help_text=_("可匿名"))
    contact = forms.CharField(label=_("联系方式"), max_length=CONTACT_MAX, required=False,
                              help_text=_("电话或地址，便于回复；可不填"))

    def __init__(self, *args, publicities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["publicity"].queryset = publicities
        self.fields["publicity"].label_from_instance = lambda publicity: _(
            "%(publicity)s（%(start)s 至 %(end)s）") % {"publicity": publicity, "start": publicity.starts_on,
                                                      "end": publicity.ends_on}
        self.fields["received_on"].initial = timezone.localdate()


class InvestigateForm(forms.Form):
    investigation = _text(_("核查情况"), max_length=INVESTIGATION_MAX, rows=5,
                          help_text=_("核查了什么、向谁了解、发现了什么"))
    visited_on = forms.DateField(label=_("入户核查日期"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


class DecideForm(forms.Form):
    upheld = forms.TypedChoiceField(label=_("处理结果"), coerce=lambda value: value == "upheld",
                                    widget=forms.RadioSelect,
                                    choices=[("upheld", _("异议成立（停止发放该笔救助）")),
                                             ("dismissed", _("异议不成立（该笔救助可以发放）"))])
    reason = _text(_("处理结果及理由"), max_length=REASON_MAX,
                   help_text=_("异议人凭编号和查询码将看到这段理由：不要写入被异议家庭的个人信息"))
