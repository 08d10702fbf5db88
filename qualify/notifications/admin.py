from django.contrib import admin

from qualify.core.admin import ReadOnlyAdmin
from qualify.notifications.models import Notification, NotificationPreference


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["title", "recipient", "kind", "created_at", "read_at", "email_sent_at"]
    list_filter = ["kind"]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(ReadOnlyAdmin):
    list_display = ["user", "kind", "email"]
