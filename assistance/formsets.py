"""Formsets with a hard bound on their rows: every hand-built formset of the project goes through
bounded_formset (the clerks' application, the village's household, a scheme's rules)."""
from django import forms
from django.utils.translation import gettext_lazy as _


class BoundedFormSet(forms.BaseFormSet):
    """A formset of at most max_num rows (bounded_formset): more rows submitted — a page edited to
    say TOTAL_FORMS=5000 — is the formset's own error, shown above its rows, and never more than
    max_num forms are built or rendered back (Django's default would build 2,000 silently)."""

    default_error_messages = {"too_many_forms": _("最多只能填写 %(num)d 行，请删去多余的行后重新提交")}


def bounded_formset(form, *, max_num: int, extra: int, **kwargs) -> type[BoundedFormSet]:
    """formset_factory with a hard bound: absolute_max = max_num, validated (every hand-built
    formset of the project goes through here; their templates show non_form_errors)."""
    return forms.formset_factory(form, formset=BoundedFormSet, extra=extra, max_num=max_num, absolute_max=max_num,
                                 validate_max=True, **kwargs)
