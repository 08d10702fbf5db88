from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "qualify.core"
    label = "core"
    verbose_name = "Core"
