"""Read-only admin for webhooks; the secret is never shown."""

from django.contrib import admin

from qualify.core.admin import ReadOnlyAdmin
from qualify.webhooks.models import Delivery, Subscription


@admin.register(Subscription)
class SubscriptionAdmin(ReadOnlyAdmin):
    list_display = ("name", "audience", "organisation", "url", "active")
    exclude = ("secret",)


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ("event", "subscription", "status", "attempts", "response_code", "next_attempt_at")
    list_filter = ("status",)
