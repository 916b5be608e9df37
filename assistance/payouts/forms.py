"""Forms of the payouts' pages: a bank result file to import, a corrected account to pay again."""
from django import forms
from django.utils.translation import gettext_lazy as _

MAX_RESULT_FILE = 5 * 1024 * 1024


class BankResultForm(forms.Form):
    file = forms.FileField(label=_("银行回单文件"), help_text=_(".csv 或 .xlsx，须有“参考号、金额、结果、说明”列"))


class ReissueForm(forms.Form):
    account_holder = forms.CharField(label=_("收款人"), max_length=50)
    bank_name = forms.CharField(label=_("开户银行"), max_length=60)
    account_number = forms.CharField(label=_("银行账号"), max_length=40)
