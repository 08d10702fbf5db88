from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "qualify.accounts"
    label = "accounts"
    verbose_name = "People and access"
