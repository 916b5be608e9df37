import datetime as dt

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import render
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .admin_utils import AppendOnlyAdmin, NoStoreMixin, adopt_saved, error_text, no_store
from .history_admin import HistoryAdmin
from .models import ApiToken, ExportLog, FundAccount, LedgerEntry, Region, User
from .tokens import api_token_issue, api_token_revoke


@admin.register(User)
class UserAdmin(NoStoreMixin, BaseUserAdmin, HistoryAdmin):
    list_display = ("username", "first_name", "region", "organisation", "is_active", "last_login")
    list_filter = ("groups", "is_active", "is_staff")
    list_select_related = ("region",)
    search_fields = ("username", "first_name")
    autocomplete_fields = ("region",)
    fieldsets = BaseUserAdmin.fieldsets + ((_("工作信息"), {"fields": ("region", "organisation", "phone", "bank_account")}),)

    def get_fieldsets(self, request, obj=None):
        # Readers (auditors) see no password field: not even the hash's algorithm and salt summary.
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or self.has_change_permission(request, obj):
            return fieldsets
        return [(name, {**options, "fields": [f for f in options["fields"] if f != "password"]})
                for name, options in fieldsets]


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "level", "parent")
    list_filter = ("level",)
    list_select_related = ("parent",)
    search_fields = ("name", "=code")
    readonly_fields = ("path",)


@admin.register(FundAccount)
class FundAccountAdmin(AppendOnlyAdmin, HistoryAdmin):
    list_display = ("name", "balance", "updated_at")


@admin.register(LedgerEntry)
class LedgerEntryAdmin(AppendOnlyAdmin):
    list_display = ("id", "created_at", "kind", "amount", "balance_after", "memo", "source_link", "created_by")
    list_filter = ("kind",)
    list_select_related = ("created_by", "source_type", "reverses")
    search_fields = ("=source_id", "memo")
    show_full_result_count = False
    date_hierarchy = "created_at"

    @admin.display(description=_("来源"))
    def source_link(self, entry):
        return format_html("{} #{}", entry.source_type.name, entry.source_id)


@admin.register(ExportLog)
class ExportLogAdmin(AppendOnlyAdmin):
    list_display = ("created_at", "user", "what", "row_count")
    list_select_related = ("user",)
    show_full_result_count = False



class ApiTokenIssueForm(forms.ModelForm):
    days = forms.TypedChoiceField(label=_("有效期"), coerce=int, initial=90,
                                  choices=[(30, _("30 天")), (90, _("90 天")), (365, _("一年"))])

    class Meta:
        model = ApiToken
        fields = ["user"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Administrators issue a token for a user (the key is shown once, on the answer page, never
    through a message cookie as knox's own admin does) and revoke tokens. Nobody reads one: the
    list has the owner and dates, never the key or its digest."""

    form = ApiTokenIssueForm
    fields = ("user", "days")
    autocomplete_fields = ("user",)
    list_display = ("user", "created", "expiry")
    list_display_links = None
    list_select_related = ("user",)
    search_fields = ("user__username",)
    actions = ["revoke"]

    def has_change_permission(self, request, obj=None):
        return False

    def get_fields(self, request, obj=None):
        return self.fields if obj is None else ("user", "created", "expiry")

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # deletes without the revocation record
        return actions

    def save_model(self, request, obj, form, change):
        token, key = api_token_issue(user=form.cleaned_data["user"], acting_user=request.user,
                                     ttl=dt.timedelta(days=form.cleaned_data["days"]))
        adopt_saved(obj, token)
        request.api_token_key = key

    def log_addition(self, request, obj, message):
        pass  # api_token_issue writes the record, against the user

    def response_add(self, request, obj, post_url_continue=None):
        return no_store(render(request, "admin/api_token_issued.html", {
            **self.admin_site.each_context(request), "title": _("API 令牌已签发"),
            "key": request.api_token_key, "token": obj, "opts": self.opts}))

    @admin.action(description=_("撤销所选令牌"), permissions=["delete"])
    def revoke(self, request, queryset):
        for token in queryset.select_related("user"):
            try:
                api_token_revoke(token=token, acting_user=request.user)
            except (PermissionDenied, ValidationError) as exc:
                self.message_user(request, error_text(exc), messages.ERROR)
                return
        self.message_user(request, _("已撤销所选令牌"), messages.SUCCESS)
