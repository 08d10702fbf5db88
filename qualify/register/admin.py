from django.contrib import admin

from qualify.core.admin import ReadOnlyAdmin
from qualify.register.models import RegisterEvent


@admin.register(RegisterEvent)
class RegisterEventAdmin(ReadOnlyAdmin):
    list_display = ["participation", "kind", "effective_date", "source", "reference", "recorded_at", "backdated"]
    list_filter = ["kind", "source", "backdated"]
    search_fields = ["participation__mpid"]
    list_select_related = ["participation"]
