from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, gettext_lazy as _
from django_celery_beat import admin as beat_admin
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from .admin_utils import AppendOnlyAdmin, NoStoreMixin, error_text
from .history_admin import HistoryAdmin
from .masking import mask_bank_account, mask_email, mask_phone
from .models import ApiToken, ExportLog, FundAccount, LedgerEntry, Region, User
from .notices import admin as notices_admin  # noqa: F401  (registers the outbox's admin)
from .permission_labels import permission_label
from .tokens import api_token_revoke


class PermissionLabelsMixin:
    """Permissions named as people read them (fundportal.permission_labels), never Django's stored
    English ("auth | 组 | Can view historical 收支公示"): in the two-box picker of whoever may
    change them, and in the read-only list (`permission_labels`) of whoever may only look."""

    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        formfield = super().formfield_for_manytomany(db_field, request, **kwargs)
        if formfield is not None and db_field.related_model is Permission:
            formfield.label_from_instance = permission_label
        return formfield

    @admin.display(description=_("权限"))
    def permission_labels(self, obj):
        field = "permissions" if isinstance(obj, Group) else "user_permissions"
        permissions = getattr(obj, field).select_related("content_type")
        return format_html_join(mark_safe("<br>"), "{}", ((permission_label(p),) for p in permissions)) or "-"


@admin.register(User)
class UserAdmin(PermissionLabelsMixin, NoStoreMixin, BaseUserAdmin, HistoryAdmin):
    list_display = ("username", "first_name", "region", "organisation", "is_active", "last_login")
    list_filter = ("groups", "is_active", "is_staff")
    list_select_related = ("region",)
    search_fields = ("username", "first_name")
    autocomplete_fields = ("region",)
    fieldsets = BaseUserAdmin.fieldsets + ((_("工作信息"), {"fields": ("region", "organisation", "phone", "bank_account")}),)
    # A reader (the auditor) sees a colleague's contact and bank details masked, as everywhere else
    # (fundportal.masking); whoever may change the user sees them whole, to correct them.
    MASKED_FOR_READERS = {"email": "masked_email", "phone": "masked_phone", "bank_account": "masked_bank_account",
                          "user_permissions": "permission_labels"}

    def get_fieldsets(self, request, obj=None):
        # Readers (auditors) see no password field: not even the hash's algorithm and salt summary.
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or self.has_change_permission(request, obj):
            return fieldsets
        return [(name, {**options, "fields": [self.MASKED_FOR_READERS.get(f, f) for f in options["fields"]
                                              if f != "password"]})
                for name, options in fieldsets]

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        if obj is None or self.has_change_permission(request, obj):
            return readonly
        return (*readonly, *self.MASKED_FOR_READERS.values())

    @admin.display(description=_("电子邮件地址"))
    def masked_email(self, user):
        return mask_email(user.email)

    @admin.display(description=_("联系电话"))
    def masked_phone(self, user):
        return mask_phone(user.phone)

    @admin.display(description=_("本人银行账号"))
    def masked_bank_account(self, user):
        return mask_bank_account(user.bank_account)


class GroupAdmin(PermissionLabelsMixin, BaseGroupAdmin, HistoryAdmin):
    """Roles: which permissions a group holds is audited (fundportal.models registers its history)."""

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if obj is None or self.has_change_permission(request, obj):
            return fields
        return ["permission_labels" if f == "permissions" else f for f in fields]

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        if obj is None or self.has_change_permission(request, obj):
            return readonly
        return (*readonly, "permission_labels")


admin.site.unregister(Group)
admin.site.register(Group, GroupAdmin)


@admin.register(Region)
class RegionAdmin(HistoryAdmin):
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



@admin.register(ApiToken)
class ApiTokenAdmin(HistoryAdmin):
    """The administrator's list of everyone's tokens, to revoke them (a lost laptop, a person who
    left). Nobody issues a token here: a token is issued only by its owner (fundportal.tokens).
    Nobody reads one: the list has the owner and dates, never the key or its digest."""

    fields = ("user", "created", "expiry")
    list_display = ("user", "created", "expiry")
    list_display_links = None
    list_select_related = ("user",)
    search_fields = ("user__username",)
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # deletes without the revocation record
        return actions

    @admin.action(description=_("撤销所选令牌"), permissions=["delete"])
    def revoke(self, request, queryset):
        for token in queryset.select_related("user"):
            try:
                api_token_revoke(token=token, acting_user=request.user)
            except (PermissionDenied, ValidationError) as exc:
                self.message_user(request, error_text(exc), messages.ERROR)
                return
        self.message_user(request, _("已撤销所选令牌"), messages.SUCCESS)


# django-celery-beat writes a few of its words without gettext (a field's verbose_name, a readonly
# property's name, its model's validation messages), so its catalogue and ours could not reach
# them: they are named here in its English, which locale/zh_Hans translates.
PeriodicTask._meta.get_field("task").verbose_name = _("Task Name")


def _library_words(error: ValidationError) -> ValidationError:
    """A library's untranslated validation error, each message through the catalogue."""
    if hasattr(error, "error_dict"):
        return ValidationError({field: [gettext(m) for m in messages_]
                                for field, messages_ in error.message_dict.items()})
    return ValidationError([gettext(m) for m in error.messages])


class PeriodicTaskForm(beat_admin.PeriodicTaskForm):
    def validate_unique(self):
        try:
            self.instance.validate_unique(exclude=self._get_validation_exclusions())
        except ValidationError as error:
            self._update_errors(_library_words(error))


class PeriodicTaskAdmin(type(admin.site.get_model_admin(PeriodicTask))):
    form = PeriodicTaskForm
    list_display = tuple("scheduled_by" if f == "scheduler" else f for f in beat_admin.PeriodicTaskAdmin.list_display)

    @admin.display(description=_("Scheduler"))
    def scheduled_by(self, task):
        return task.scheduler

    @admin.display(description=_("Crontab translation"))
    def crontab_translation(self, task):
        return super().crontab_translation(task)


class CrontabScheduleAdmin(type(admin.site.get_model_admin(CrontabSchedule))):
    list_display = ("__str__", "readable")
    fields = tuple("readable" if f == "human_readable" else f for f in beat_admin.CrontabScheduleAdmin.fields)
    readonly_fields = ("readable",)

    @admin.display(description=_("Human readable"))
    def readable(self, crontab):
        return crontab.human_readable


for _model, _admin_class in ((PeriodicTask, PeriodicTaskAdmin), (CrontabSchedule, CrontabScheduleAdmin)):
    admin.site.unregister(_model)
    admin.site.register(_model, _admin_class)
