from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "gugus.audit"
    verbose_name = "Jejak audit"
