from django.apps import AppConfig


class RegisterConfig(AppConfig):
    name = "qualify.register"
    label = "register"
    verbose_name = "Qualification register"
