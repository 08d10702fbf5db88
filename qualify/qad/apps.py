from django.apps import AppConfig


class QadConfig(AppConfig):
    name = "qualify.qad"
    label = "qad"
    verbose_name = "Qualification Assessment Document"
