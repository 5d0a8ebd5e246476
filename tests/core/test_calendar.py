from __future__ import annotations

import datetime as dt

from zqt.accounts.scope import code_within, scope_prefix_for_code
from zqt.core.calendar import add_working_days, is_working_day, working_days_between


def test_national_day_holiday_and_makeup_workday_2025() -> None:
    assert not is_working_day(dt.date(2025, 10, 1))  # National Day
    assert is_working_day(dt.date(2025, 9, 28))  # Sunday make-up workday
    # Tuesday 30 Sep + 3 working days skips 1–8 Oct: 9, 10, 11 (Sat 11 Oct is a make-up day).
    assert add_working_days(dt.date(2025, 9, 30), 3) == dt.date(2025, 10, 11)


def test_add_zero_and_between() -> None:
    saturday = dt.date(2025, 11, 22)
    assert add_working_days(saturday, 0) == dt.date(2025, 11, 24)
    assert working_days_between(dt.date(2025, 11, 21), dt.date(2025, 11, 24)) == 1
    assert working_days_between(dt.date(2025, 11, 24), dt.date(2025, 11, 21)) == -1


def test_scope_prefixes() -> None:
    assert scope_prefix_for_code("330000") == "33"
    assert scope_prefix_for_code("330800") == "3308"
    assert scope_prefix_for_code("330802") == "330802"
    assert scope_prefix_for_code("330802005") == "330802005"
    assert code_within("330802005", scope_prefix_for_code("330800"))
    assert not code_within("330102", scope_prefix_for_code("330800"))


def test_overrides_win_and_make_a_day_authoritative() -> None:
    from zqt.core.calendar import (
        calendar_is_authoritative,
        next_working_day,
        span_is_authoritative,
        unauthoritative_years,
    )

    national_day = dt.date(2025, 10, 1)
    assert is_working_day(national_day, {national_day: True})
    assert not is_working_day(dt.date(2025, 10, 9), {dt.date(2025, 10, 9): False})
    # 2099 is not in chinese-calendar: Monday–Friday guess, not authoritative, unless entered.
    saturday = dt.date(2099, 1, 3)
    assert not calendar_is_authoritative(saturday)
    assert calendar_is_authoritative(saturday, {saturday: True})
    assert is_working_day(saturday, {saturday: True})
    assert next_working_day(dt.date(2099, 1, 2), {saturday: True}) == saturday
    friday = dt.date(2099, 1, 2)
    holidays = {friday + dt.timedelta(days=i): False for i in range(3, 6)}  # Mon–Wed off
    assert add_working_days(friday, 1, holidays) == dt.date(2099, 1, 8)
    assert working_days_between(friday, dt.date(2099, 1, 8), holidays) == 1
    assert working_days_between(friday, dt.date(2099, 1, 8)) == 4
    assert not span_is_authoritative(friday, dt.date(2099, 1, 8), holidays)
    assert unauthoritative_years([2025, 2099]) == [2099]
    whole_year = {
        dt.date(2099, 1, 1) + dt.timedelta(days=i): True
        for i in range((dt.date(2100, 1, 1) - dt.date(2099, 1, 1)).days)
    }
    assert unauthoritative_years([2099], whole_year) == []


def test_no_overrides_is_the_library() -> None:
    day = dt.date(2025, 9, 28)
    assert is_working_day(day, {}) == is_working_day(day, None) == is_working_day(day)
