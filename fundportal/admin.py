from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .admin_utils import AppendOnlyAdmin, NoStoreMixin
from .history_admin import HistoryAdmin
from .models import ExportLog, FundAccount, LedgerEntry, Region, User


@admin.register(User)
class UserAdmin(NoStoreMixin, BaseUserAdmin, HistoryAdmin):
    list_display = ("username", "first_name", "region", "organisation", "is_active", "last_login")
    list_filter = ("groups", "is_active", "is_staff")
    list_select_related = ("region",)
    search_fields = ("username", "first_name")
    autocomplete_fields = ("region",)
    fieldsets = BaseUserAdmin.fieldsets + ((_("工作信息"), {"fields": ("region", "organisation", "phone", "bank_account")}),)


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
