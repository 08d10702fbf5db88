from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "qualify.accounts"
    label = "accounts"
    verbose_name = "People and access"

    def ready(self) -> None:
        from qualify.accounts import identity_audit

        identity_audit.connect()
