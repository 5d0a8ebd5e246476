from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from zqt.appeals.enums import AppealType, Channel


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data]
        return [super().clean(data, initial)] if data else []


class AppealForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=100)
    content = forms.CharField(
        label=_("诉求内容"), widget=forms.Textarea(attrs={"rows": 6}), max_length=5000
    )
    appeal_type = forms.ChoiceField(
        label=_("诉求类型"), choices=AppealType.choices, initial=AppealType.HELP
    )
    contact_name = forms.CharField(label=_("联系人"), max_length=64, required=False)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    attachments = MultipleFileField(
        label=_("附件（PDF、图片、Word、Excel，最多5个）"), required=False
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False)


class WindowIntakeForm(AppealForm):
    uscc = forms.CharField(label=_("统一社会信用代码"), max_length=18)
    channel = forms.ChoiceField(
        label=_("受理渠道"),
        choices=[(c.value, c.label) for c in (Channel.WINDOW, Channel.HOTLINE, Channel.COMMUNITY)],
    )
