"""Pure template rendering and retry policy: no database."""

from __future__ import annotations

import datetime as dt

import pytest

from zqt.core.errors import DomainError
from zqt.notifications.rendering import render, template_variables
from zqt.notifications.retry import RetryPolicy


def test_variables_are_listed_in_order_of_first_use() -> None:
    assert template_variables("{a}，{b:>3}，{a}。{{字面}}") == ["a", "b"]


def test_render_fills_named_variables_and_ignores_extra_ones() -> None:
    text = render(
        "{name}还有{days:d}天", {"name": "甲公司", "days": 5, "extra": 1}, template_code="t"
    )
    assert text == "甲公司还有5天"


def test_missing_variable_is_an_error_in_chinese_naming_it() -> None:
    with pytest.raises(DomainError) as info:
        render("{name}还有{days}天", {"name": "甲公司"}, template_code="licence_expiring")
    assert info.value.code == "template_variable_missing"
    assert info.value.message == "消息模板「licence_expiring」缺少变量：days。"
    assert info.value.field == "context"
    assert info.value.errors == [{"field": "context.days", "message": "缺少该变量。"}]


def test_value_that_does_not_fit_the_format_is_an_error() -> None:
    with pytest.raises(DomainError) as info:
        render("{days:d}", {"days": "三十"}, template_code="t")
    assert info.value.code == "template_variable_invalid"


@pytest.mark.parametrize(
    "text",
    [
        "{user.password}",  # attribute access
        "{items[0]}",  # index access
        "{}",  # positional
        "{0}",  # positional
        "{a:{b}}",  # nested field in the format spec
        "{unclosed",  # syntax
        "closing}",  # syntax
    ],
)
def test_templates_that_could_reach_into_objects_or_do_not_parse_are_refused(text: str) -> None:
    with pytest.raises(DomainError) as info:
        template_variables(text)
    assert info.value.code == "template_syntax"


def test_retry_delay_doubles_and_is_capped() -> None:
    policy = RetryPolicy(max_attempts=5, base_delay_seconds=60, max_delay_seconds=200)
    assert [policy.delay_after(n) for n in (1, 2, 3, 4)] == [
        dt.timedelta(seconds=60),
        dt.timedelta(seconds=120),
        dt.timedelta(seconds=200),
        dt.timedelta(seconds=200),
    ]
    with pytest.raises(ValueError):
        policy.delay_after(0)


def test_retry_policy_gives_up_at_the_last_attempt() -> None:
    policy = RetryPolicy(max_attempts=3)
    assert [policy.gives_up_after(n) for n in (1, 2, 3, 4)] == [False, False, True, True]
