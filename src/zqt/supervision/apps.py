from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "zqt.supervision"
    label = "supervision"
    verbose_name = "监管检查"
