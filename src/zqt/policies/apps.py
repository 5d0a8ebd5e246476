from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    name = "zqt.policies"
    label = "policies"
    verbose_name = "惠企政策"
