from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "zqt.core"
    label = "core"
    verbose_name = "基础"
