from django.contrib import admin

from qualify.core.admin import ReadOnlyAdmin
from qualify.gating.models import GatingJob


@admin.register(GatingJob)
class GatingJobAdmin(ReadOnlyAdmin):
    list_display = ("reference", "original_name", "requested_by_name", "state", "processed_rows", "created_at")
    list_filter = ("state", "input_format")
    search_fields = ("reference", "original_name", "requested_by_name")
