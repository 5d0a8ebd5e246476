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
