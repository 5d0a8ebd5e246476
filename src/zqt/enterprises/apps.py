from django.apps import AppConfig


class EnterprisesConfig(AppConfig):
    name = "zqt.enterprises"
    label = "enterprises"
    verbose_name = "市场主体"
