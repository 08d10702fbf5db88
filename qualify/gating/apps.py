from django.apps import AppConfig


class GatingConfig(AppConfig):
    name = "qualify.gating"
    label = "gating"
    verbose_name = "Market gating"
