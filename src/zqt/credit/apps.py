from django.apps import AppConfig


class CreditConfig(AppConfig):
    name = "zqt.credit"
    label = "credit"
    verbose_name = "信用评价"
