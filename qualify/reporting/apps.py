from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "qualify.reporting"
    label = "reporting"
    verbose_name = "Programme dashboard and reports"
