from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class PreferencesForm(forms.Form):
    sms = forms.BooleanField(label=_("短信通知"), required=False)
    email = forms.BooleanField(label=_("电子邮件通知"), required=False)
