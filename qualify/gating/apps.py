from django.apps import AppConfig


class GatingConfig(AppConfig):
    name = "qualify.gating"
    label = "gating"
    verbose_name = "Market gating"

    def ready(self) -> None:
        from qualify.gating import services  # noqa: F401  (registers the gating job kind for the job recovery)
