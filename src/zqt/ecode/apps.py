from django.apps import AppConfig


class EcodeConfig(AppConfig):
    name = "zqt.ecode"
    label = "ecode"
    verbose_name = "企业码"
