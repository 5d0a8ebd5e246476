from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "zqt.catalog"
    label = "catalog"
    verbose_name = "服务清单"
