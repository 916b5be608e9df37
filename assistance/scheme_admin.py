"""Assistance schemes in the admin: the council's secretary drafts, the council approves (a
resolution), nobody edits an approved scheme — a new version is one click away."""
from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from fundportal.forms import form_add_service_errors
from fundportal.history_admin import HistoryAdmin
from fundportal.money import format_money, money_label

from .formsets import bounded_formset
from .models import EligibilityCategory, Scheme
from .scheme_services import scheme_create, scheme_new_version, scheme_update


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
        fields = ["year", "name", "annual_cap", "rounding", "count_extra_costs", "notes"]


def _rule_initial(scheme: Scheme) -> list[dict]:
    rows = []
    for rule in scheme.rules.select_related("category"):
        bands = rule.band_list()
        rows.append({"category": rule.category, "deductible": rule.deductible,
                     "uppers": ", ".join(f"{band.upper:f}" for band in bands if band.upper is not None),
                     "ratios": ", ".join(f"{band.ratio * 100:g}" for band in bands)})
    return rows


@admin.register(Scheme)
class SchemeAdmin(HistoryAdmin):
    form = SchemeForm
    list_display = ("__str__", "annual_cap", "rounding", "approved_at", "created_by")
    list_filter = ("year",)
    change_form_template = "admin/assistance/scheme/change_form.html"

    fields = readonly_fields = ("year", "version", "name", "annual_cap", "rounding", "count_extra_costs", "notes",
                                "approved_at", "rule_table")  # the plain change form shows approved schemes only

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("规则"))
    def rule_table(self, scheme):
        return format_html_join(mark_safe("<br>"), "{}：起付 {}；{}", (
            (rule.category or "其他所有类别", money_label(rule.deductible), "；".join(
                f"{format_money(band.lower)}–{'' if band.upper is None else format_money(band.upper)} 元 "
                f"{band.ratio * 100:g}%" for band in rule.band_list())) for rule in scheme.rules.select_related("category")))

    def add_view(self, request, form_url="", extra_context=None):
        return self._edit(request, None)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        scheme = self.get_object(request, unquote(object_id))  # 404 for a malformed or missing id
        if scheme.is_approved or not self.has_change_permission(request, scheme):
            return super().change_view(request, object_id, form_url, {**(extra_context or {}), "scheme": scheme})
        return self._edit(request, scheme)

    def _edit(self, request, scheme: Scheme | None):
        """A draft: the scheme's fields and its rules on one page, saved through the services."""
        if not (self.has_add_permission(request) if scheme is None else self.has_change_permission(request, scheme)):
            raise PermissionDenied
        form = SchemeForm(request.POST or None, instance=scheme)
        if scheme is not None:
            form.fields["year"].disabled = True
        rules = SchemeRuleFormSet(request.POST or None, prefix="rules",
                                  initial=_rule_initial(scheme) if scheme else [{}])
        if request.method == "POST" and form.is_valid() and rules.is_valid():
            data = {field: form.cleaned_data[field] for field in ("name", "annual_cap", "rounding",
                                                                  "count_extra_costs", "notes")}
            rule_rows = [{"category": row["category"], "deductible": row["deductible"], "bands": row["bands"]}
                         for row in rules.cleaned_data if row and row.get("bands")]
            try:
                if scheme is None:
                    saved = scheme_create(acting_user=request.user, year=form.cleaned_data["year"], rules=rule_rows,
                                          **data)
                else:
                    saved = scheme_update(scheme=scheme, acting_user=request.user, rules=rule_rows, **data)
            except ValidationError as exc:
                form_add_service_errors(form, exc)
            else:
                messages.success(request, f"已保存 {saved}")
                return HttpResponseRedirect(reverse("admin:assistance_scheme_change", args=[saved.pk]))
        return render(request, "admin/assistance/scheme/edit.html", {
            **self.admin_site.each_context(request), "opts": self.model._meta, "form": form, "rules": rules,
            "scheme": scheme, "title": str(scheme) if scheme else "制定救助方案"})

    def get_urls(self):
        return [path("<int:pk>/new-version/", self.admin_site.admin_view(self.new_version_view),
                     name="assistance_scheme_new_version")] + super().get_urls()

    def new_version_view(self, request, pk):
        if request.method != "POST":
            raise PermissionDenied
        try:
            scheme = scheme_new_version(scheme=get_object_or_404(Scheme, pk=pk), acting_user=request.user)
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, str(exc))
            return HttpResponseRedirect(reverse("admin:assistance_scheme_change", args=[pk]))
        messages.success(request, f"已新建 {scheme}，可以修改后提交理事会审议")
        return HttpResponseRedirect(reverse("admin:assistance_scheme_change", args=[scheme.pk]))
