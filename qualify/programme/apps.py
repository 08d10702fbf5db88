from django.apps import AppConfig


class ProgrammeConfig(AppConfig):
    name = "qualify.programme"
    label = "programme"
    verbose_name = "Programme: onboarding, waves and deadline reminders"

    def ready(self) -> None:
        from qualify.notifications.choices import register_kind
        from qualify.programme.choices import NOTICE_KINDS

        for kind, label in NOTICE_KINDS.items():
            register_kind(kind, label)
