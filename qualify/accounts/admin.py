from django.contrib import admin

from qualify.accounts.models import ApiToken, User
from qualify.core.admin import ReadOnlyAdmin


@admin.register(User)
class UserAdmin(ReadOnlyAdmin):
    list_display = ["email", "full_name", "staff_role", "is_machine", "is_active", "last_login"]
    list_filter = ["staff_role", "is_machine", "is_active"]
    search_fields = ["email", "full_name"]
    exclude = ["password"]


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ["name", "user", "prefix", "scope", "created_at", "expires_at", "last_used_at", "revoked_at"]
    list_filter = ["scope"]
    exclude = ["digest"]
