from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "qualify.accounts"
    label = "accounts"
    verbose_name = "People and access"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from qualify.accounts import identity_audit
        from qualify.accounts.middleware import mark_seen_at_sign_in

        identity_audit.connect()
        user_logged_in.connect(mark_seen_at_sign_in, dispatch_uid="qualify-session-seen-at-sign-in")
