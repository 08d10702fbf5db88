from django.apps import AppConfig


class RegisterConfig(AppConfig):
    name = "qualify.register"
    label = "register"
    verbose_name = "Qualification register"

    def ready(self) -> None:
        from qualify.register import import_jobs  # noqa: F401  (registers the import job kind for the recovery)
