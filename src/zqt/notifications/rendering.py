"""Message templates: `str.format` with named variables only. Pure, no ORM.

Why str.format and not the Django template language: messages go out as plain text (SMS,
e-mail) where HTML auto-escaping is wrong, and a missing variable must be an error, whereas
Django templates silently render it as "". Templates are restricted to plain names
(`{enterprise_name}`, `{days_left:d}`): no attribute or index access (`{user.password}`,
`{items[0]}`), no positional fields, so an operator editing a template in the admin cannot
reach into the objects passed as context.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import Any

from zqt.core.errors import ValidationFailed

_FORMATTER = string.Formatter()


def template_variables(text: str) -> list[str]:
    """The variable names a template uses, in order of first use.

    Raises ValidationFailed for a template that is not a plain named-variable template.
    """
    names: list[str] = []
    try:
        parsed = list(_FORMATTER.parse(text))
    except ValueError as exc:
        raise ValidationFailed(
            f"模板格式错误（花括号不配对，字面花括号请写成 {{{{ 或 }}}}）：{exc}",
            code="template_syntax",
        ) from exc
    for _literal, field_name, format_spec, _conversion in parsed:
        if field_name is None:
            continue
        if not field_name:
            raise ValidationFailed(
                "模板变量必须有名称，例如 {enterprise_name}，不能使用 {} 或 {0}。",
                code="template_syntax",
            )
        if not field_name.isidentifier():
            raise ValidationFailed(
                f"模板变量「{field_name}」无效：只能使用变量名，不能访问属性或下标。",
                code="template_syntax",
            )
        if format_spec and ("{" in format_spec or "}" in format_spec):
            raise ValidationFailed(
                f"模板变量「{field_name}」的格式说明中不能嵌套变量。", code="template_syntax"
            )
        if field_name not in names:
            names.append(field_name)
    return names


def render(text: str, context: Mapping[str, Any], *, template_code: str) -> str:
    """Fill a template. Every variable it uses must be in `context` (an error otherwise,
    never an empty string); extra context keys are ignored."""
    names = template_variables(text)
    missing = [name for name in names if name not in context]
    if missing:
        raise ValidationFailed(
            f"消息模板「{template_code}」缺少变量：{'、'.join(missing)}。",
            code="template_variable_missing",
            field="context",
            errors=[{"field": f"context.{name}", "message": "缺少该变量。"} for name in missing],
        )
    try:
        return text.format_map({name: context[name] for name in names})
    except (ValueError, TypeError) as exc:
        raise ValidationFailed(
            f"消息模板「{template_code}」的变量值与格式不符：{exc}",
            code="template_variable_invalid",
            field="context",
        ) from exc
