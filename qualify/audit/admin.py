from django.contrib import admin

from qualify.audit.models import AuditEvent
from qualify.core.admin import ReadOnlyAdmin


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["seq", "at", "actor_name", "action", "object_repr", "scheme"]
    list_filter = ["action"]
    search_fields = ["object_id", "actor_name", "request_id"]
