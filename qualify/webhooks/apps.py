from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "qualify.webhooks"
    label = "webhooks"
    verbose_name = "Webhooks"
