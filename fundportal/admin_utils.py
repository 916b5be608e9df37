"""Small admin building blocks shared by every app."""
from django.contrib import admin


class AppendOnlyAdmin(admin.ModelAdmin):
    """Rows written only by services: the admin can look, never add, change or delete."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def no_store(response):
    """Pages that show personal data must not be kept by browsers or proxies."""
    response["Cache-Control"] = "no-store"
    return response
