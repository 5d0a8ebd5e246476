from django.apps import AppConfig


class AppealsConfig(AppConfig):
    name = "zqt.appeals"
    label = "appeals"
    verbose_name = "企业诉求"
