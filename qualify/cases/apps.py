from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "qualify.cases"
    label = "cases"
    verbose_name = "Qualification cases"
