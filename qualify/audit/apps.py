from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "qualify.audit"
    label = "audit"
    verbose_name = "Audit log"
