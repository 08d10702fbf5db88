from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "qualify.demo"
    label = "demo"
    verbose_name = "Demo data"
