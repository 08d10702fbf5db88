from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "qualify.notifications"
    label = "notifications"
    verbose_name = "Notifications"
