from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "qualify.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from qualify.core import checks  # noqa: F401  (registers the platform's system checks)
