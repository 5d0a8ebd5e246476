from django.apps import AppConfig


class BundlesConfig(AppConfig):
    name = "zqt.bundles"
    label = "bundles"
    verbose_name = "一类事"
