from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "zqt.accounts"
    label = "accounts"
    verbose_name = "账号与组织"
