"""The message templates ZQT ships. Loaded (upserted) by services.notification_templates_load().

Add a template here when a module needs a new message; callers refer to it by `code`.
"""

from __future__ import annotations

from typing import TypedDict

from zqt.notifications.enums import Channel


class BuiltinTemplate(TypedDict):
    code: str
    name: str
    title_template: str
    body_template: str
    default_channels: list[str]
    optional_channels: list[str]


BUILTIN_TEMPLATES: tuple[BuiltinTemplate, ...] = (
    {
        "code": "generic",
        "name": "通用消息",
        "title_template": "{title}",
        "body_template": "{body}",
        "default_channels": [Channel.INAPP.value],
        "optional_channels": [Channel.SMS.value, Channel.EMAIL.value],
    },
    {
        "code": "licence_expiring",
        "name": "证照到期提醒",
        "title_template": "证照即将到期：{licence_type}",
        "body_template": (
            "{enterprise_name}：您的{licence_type}（编号 {number}）将于 {expires_on} 到期，"
            "距今还有 {days_left} 天。请及时办理延续手续，以免影响正常经营。"
        ),
        "default_channels": [Channel.INAPP.value, Channel.SMS.value],
        "optional_channels": [Channel.SMS.value, Channel.EMAIL.value],
    },
    {
        # 企业诉求 (appeals): every message about a case — new assignment, due-soon/overdue
        # reminders, supervision notices, answers, reviews, problem-class resolutions.
        "code": "appeal_event",
        "name": "企业诉求办理消息",
        "title_template": "【企业诉求】{title}",
        "body_template": "{body}\n请登录政企通“企业诉求”查看详情（诉求编号 {reference}）。",
        "default_channels": [Channel.INAPP.value],
        "optional_channels": [Channel.SMS.value, Channel.EMAIL.value],
    },
)
