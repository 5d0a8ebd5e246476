from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "zqt.audit"
    label = "audit"
    verbose_name = "审计"
